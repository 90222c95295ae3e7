//! The kit as one page for the customer's Entra admin: every value with a copy button, the
//! portal steps (the journey's own texts), what to send back and what never to send. One
//! self-contained file: its style and its copy buttons' script are inline, nothing is loaded
//! from anywhere, so it opens from a file or a mail attachment and prints.

use crate::journey::kit_walk;
use crate::kit::Kit;
use crate::setup::Protocol;

/// Text made safe for HTML (element content and quoted attributes).
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The journey's Markdown-light (`**bold**`, `` `code` ``, "- " items, blank-line
/// paragraphs) as HTML.
fn markdown_light(text: &str) -> String {
    let inline = |line: &str| {
        let mut out = String::new();
        let (mut bold, mut code) = (false, false);
        let mut rest = esc(line);
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("**") {
                out.push_str(if bold { "</strong>" } else { "<strong>" });
                bold = !bold;
                rest = r.to_string();
            } else if let Some(r) = rest.strip_prefix('`') {
                out.push_str(if code { "</code>" } else { "<code>" });
                code = !code;
                rest = r.to_string();
            } else {
                let c = rest.chars().next().unwrap_or_default();
                out.push(c);
                rest = rest[c.len_utf8()..].to_string();
            }
        }
        if bold {
            out.push_str("</strong>");
        }
        if code {
            out.push_str("</code>");
        }
        out
    };
    let mut out = String::new();
    for block in text.split("\n\n") {
        let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
        let items: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("- ")).collect();
        if !items.is_empty() {
            let lead: Vec<&str> = lines
                .iter()
                .filter(|l| !l.starts_with("- "))
                .copied()
                .collect();
            if !lead.is_empty() {
                out.push_str(&format!("<p>{}</p>\n", inline(&lead.join(" "))));
            }
            out.push_str("<ul>\n");
            for item in items {
                out.push_str(&format!("<li>{}</li>\n", inline(item)));
            }
            out.push_str("</ul>\n");
        } else if !lines.is_empty() {
            out.push_str(&format!("<p>{}</p>\n", inline(&lines.join(" "))));
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:.4rem;border-bottom:1px solid #e3e3e3}
th{width:14rem;font-weight:600}code.v{word-break:break-all;font-size:.95em;background:#f4f4f4;padding:.1rem .3rem}
button{margin-left:.5rem;font:inherit;font-size:.85rem;padding:.1rem .6rem;cursor:pointer}
.warn{background:#fff4e5;border-left:4px solid #d97706;padding:.5rem 1rem}.note{color:#555;font-size:.9rem}
pre{background:#f4f4f4;padding:.75rem;white-space:pre-wrap;word-break:break-all}
@media print{button{display:none}body{margin:0;max-width:none;font-size:11pt}code.v,pre{background:none;border:1px solid #999}h2{page-break-after:avoid}tr{page-break-inside:avoid}}";

/// The copy buttons: the value's own text to the clipboard; where the browser allows no
/// clipboard (a file opened from a mail), the value is selected for Ctrl+C instead.
const SCRIPT: &str = "document.addEventListener('click',function(e){var b=e.target.closest('button[data-copy]');if(!b)return;var el=document.getElementById(b.getAttribute('data-copy'));var t=el.textContent;function sel(){var r=document.createRange();r.selectNodeContents(el);var s=window.getSelection();s.removeAllRanges();s.addRange(r);b.textContent='Selected: press Ctrl+C';}if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(t).then(function(){b.textContent='Copied';},sel);}else{sel();}});";

fn value_row(id: &str, label: &str, value: &str) -> String {
    format!(
        "<tr><th>{}</th><td><code class=\"v\" id=\"{id}\">{}</code><button type=\"button\" data-copy=\"{id}\">Copy</button></td></tr>\n",
        esc(label),
        esc(value)
    )
}

/// The page.
pub fn render(kit: &Kit) -> String {
    let saml = kit.protocol == Protocol::Saml;
    let name = esc(&kit.display_name);
    let portal = esc(&kit_walk::portal(kit));
    let mut body = String::new();
    body.push_str(&format!(
        "<h1>Sign-in with Microsoft Entra ID: {name}</h1>\n<p>For your organization's Entra administrator. It takes about ten minutes in {portal}; nothing here is secret, and no secret travels back. Setup <strong>{}</strong>, {} ({}).</p>\n",
        esc(&kit.setup),
        if saml { "SAML 2.0" } else { "OpenID Connect" },
        if saml { "an enterprise application" } else { "an app registration" },
    ));
    // The portal's pages, as every face walks them: what to do, then the values to paste.
    let mut n = 0;
    for page in kit_walk::pages(kit) {
        if page.text.is_empty() && page.values.is_empty() {
            continue;
        }
        n += 1;
        body.push_str(&format!("<h2>{n}. {}</h2>\n", esc(&page.title)));
        body.push_str(&markdown_light(&page.text));
        let (blocks, rows): (Vec<_>, Vec<_>) =
            page.values.iter().partition(|v| v.value.contains('\n'));
        if !rows.is_empty() {
            body.push_str("<table>\n");
            for v in rows {
                body.push_str(&value_row(&format!("v-{}", v.key), &v.label, &v.value));
            }
            body.push_str("</table>\n");
        }
        // A certificate keeps its lines, for saving as a .cer file.
        for v in blocks {
            body.push_str(&format!(
                "<p>{}:</p>\n<pre id=\"v-{}\">{}</pre><button type=\"button\" data-copy=\"v-{}\">Copy</button>\n",
                esc(&v.label),
                esc(&v.key),
                esc(&v.value),
                esc(&v.key)
            ));
        }
    }
    body.push_str(&format!("<h2>{}. What to send back</h2>\n", n + 1));
    body.push_str(&markdown_light(&kit_walk::send_back(kit)));
    body.push_str(&format!(
        "<p>Send it as a file named <code>{}.reply.toml</code>, filled in from your application:</p>\n<pre>",
        esc(&kit.setup)
    ));
    let template = if saml {
        format!(
            "reply_version = {}\nsetup = \"{}\"\nprotocol = \"saml\"\nentity_id = \"{}\"\nmetadata_url = \"APP FEDERATION METADATA URL (ends with ?appid=…)\"",
            crate::kit::REPLY_VERSION,
            kit.setup,
            kit.anchor()
        )
    } else {
        format!(
            "reply_version = {}\nsetup = \"{}\"\nprotocol = \"oidc\"\nredirect_uri = \"{}\"\ntenant_id = \"DIRECTORY (TENANT) ID\"\nclient_id = \"APPLICATION (CLIENT) ID\"",
            crate::kit::REPLY_VERSION,
            kit.setup,
            kit.anchor()
        )
    };
    body.push_str(&esc(&template));
    body.push_str("</pre>\n<p class=\"note\">Or let the tool do all of the above in your tenant and write this file: <code>cognito-entra entra-side --kit ");
    body.push_str(&esc(&kit.setup));
    body.push_str(&format!(
        ".kit.toml</code> (it signs in to your tenant only, through Microsoft Graph; it needs nothing of ours). If your tenant allows no such tool, <code>cognito-entra entra-side --kit {}.kit.toml --entra manual</code> walks these steps with you in the portal, checks what you paste and writes this file; it signs in to nothing.</p>\n",
        esc(&kit.setup)
    ));

    body.push_str(&format!(
        "<h2>{}. What never to send</h2>\n<div class=\"warn\"><ul>\n",
        n + 2
    ));
    if !saml {
        body.push_str("<li>The <strong>client secret</strong> does not go in the reply or in a mail. Hand it over the way you agreed with us (a password manager's share, or read out on a call); we type it into a hidden prompt and it is kept in Cognito only.</li>\n");
    }
    body.push_str("<li>No password, no certificate's private key, no token: nothing in this setup needs one.</li>\n<li>A metadata URL without <code>?appid=</code> (the tenant-wide document) is not the one: it names your tenant's keys, not the application's.</li>\n</ul></div>\n");

    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<title>Entra sign-in: {name}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n{body}<p class=\"note\">Written by cognito-entra {} (kit version {}).</p>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        esc(&kit.tool_version),
        kit.kit_version
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_value_is_shown_as_text() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            markdown_light("a **b** `c`\n\n- one\n- two"),
            "<p>a <strong>b</strong> <code>c</code></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        );
    }

    #[test]
    fn a_national_clouds_kit_sends_its_admin_to_that_clouds_portal_and_host() {
        let text = "kit_version = 2\ntool_version = \"0.1.0\"\nsetup = \"acme\"\nprotocol = \"saml\"\ncloud = \"usgov\"\ndisplay_name = \"Example\"\nentity_id = \"urn:amazon:cognito:sp:us-gov-west-1_AbC\"\nreply_url = \"https://login.example.com/saml2/idpresponse\"\n";
        let kit = Kit::parse(text).unwrap();
        let page = render(&kit);
        assert!(page.contains("https://portal.azure.us"), "{page}");
        assert!(page.contains("https://login.microsoftonline.us/"), "{page}");
        assert!(!page.contains("login.microsoftonline.com"), "{page}");
        let global = Kit::parse(&text.replace("cloud = \"usgov\"\n", "")).unwrap();
        let page = render(&global);
        assert!(page.contains("Entra admin center"), "{page}");
        assert!(
            page.contains("https://login.microsoftonline.com/"),
            "{page}"
        );
    }
}
