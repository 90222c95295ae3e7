//! `import` against the Cognito emulator, with federations made through the AWS API the way
//! the console makes them: SAML from a metadata URL (Entra's, served over real HTTPS) and
//! from a metadata file, OIDC with explicit endpoints and a client secret, a Google and an
//! Okta provider beside them, a pool with no federation, two clients offering one provider.
//! Import finds exactly the Entra ones; each setup's plan is empty; no secret reaches the
//! disk; a second import changes nothing; destroy takes nothing down.

mod common;

use std::collections::HashMap;
use std::process::Stdio;

use common::entra::*;
use common::https::{HttpsServer, Response};
use common::moto::Moto;
use common::*;
use serde_json::Value;
use time::Duration as Days;

const REGION: &str = "eu-west-1";
const SECRET: &str = "Qx7~imported.Secret-of-the_OIDC-app";

struct Account {
    moto: Moto,
    entra: HttpsServer,
    dir: tempfile::TempDir,
    prod: String,
    partners: String,
    empty: String,
}

impl Account {
    /// The account an admin inherits: made call by call, as the console makes it.
    fn made_by_hand() -> Account {
        let moto = Moto::start();
        let (cert, _) = signing_cert(Days::days(-30), Days::days(700));
        let metadata = metadata_xml(&[cert]);
        let mut routes = HashMap::new();
        routes.insert(
            metadata_path(true),
            Response::ok("application/xml", metadata.clone()),
        );
        routes.insert(
            format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
            Response::ok(
                "application/json",
                discovery_json("https://localhost:{port}", TENANT),
            )
            .templated(),
        );
        let entra = HttpsServer::start(routes);
        let authority = entra.authority();
        let pool = |name: &str| -> String {
            let v = moto.boto3(
                REGION,
                &format!("cognito.create_user_pool(PoolName='{name}')"),
            );
            v["UserPool"]["Id"].as_str().unwrap_or_default().to_string()
        };
        let prod = pool("prod users");
        let partners = pool("partners");
        let empty = pool("no federation");
        for (id, domain) in [(&prod, "prod-login"), (&partners, "partners-login")] {
            moto.boto3(
                REGION,
                &format!("cognito.create_user_pool_domain(UserPoolId='{id}', Domain='{domain}')"),
            );
        }
        let metadata_url = entra.url(&metadata_path(true));
        moto.boto3(REGION, &format!(
            "cognito.create_identity_provider(UserPoolId='{prod}', ProviderName='EntraID', ProviderType='SAML', \
             ProviderDetails={{'MetadataURL': '{metadata_url}', 'IDPSignout': 'false'}}, \
             AttributeMapping={{'email': 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'name': 'http://schemas.microsoft.com/identity/claims/displayname'}}, \
             IdpIdentifiers=['contoso.com'])"
        ));
        moto.boto3(REGION, &format!(
            "cognito.create_identity_provider(UserPoolId='{prod}', ProviderName='Okta', ProviderType='SAML', \
             ProviderDetails={{'MetadataURL': 'https://dev-4711.okta.com/app/exk1/sso/saml/metadata'}}, \
             AttributeMapping={{'email': 'email'}})"
        ));
        moto.boto3(REGION, &format!(
            "cognito.create_identity_provider(UserPoolId='{prod}', ProviderName='Google', ProviderType='Google', \
             ProviderDetails={{'client_id': 'g-123.apps.googleusercontent.com', 'client_secret': 'g-secret', 'authorize_scopes': 'openid email'}}, \
             AttributeMapping={{'email': 'email'}})"
        ));
        moto.boto3(REGION, &format!(
            "cognito.create_identity_provider(UserPoolId='{prod}', ProviderName='entra-oidc', ProviderType='OIDC', \
             ProviderDetails={{'client_id': '{APP}', 'client_secret': '{SECRET}', 'attributes_request_method': 'GET', \
             'oidc_issuer': '{authority}/{TENANT}/v2.0', 'authorize_scopes': 'openid email profile', \
             'authorize_url': '{authority}/{TENANT}/oauth2/v2.0/authorize', 'token_url': '{authority}/{TENANT}/oauth2/v2.0/token', \
             'attributes_url': 'https://graph.microsoft.com/oidc/userinfo', 'jwks_uri': '{authority}/{TENANT}/discovery/v2.0/keys'}}, \
             AttributeMapping={{'email': 'email', 'username': 'sub'}})"
        ));
        let document = String::from_utf8(metadata)
            .unwrap_or_default()
            .replace('\'', "\\'");
        moto.boto3(REGION, &format!(
            "cognito.create_identity_provider(UserPoolId='{partners}', ProviderName='EntraFile', ProviderType='SAML', \
             ProviderDetails={{'MetadataFile': '''{document}''', 'IDPInit': 'true'}}, \
             AttributeMapping={{'email': 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'}})"
        ));
        let client = |pool: &str, name: &str, providers: &str, callback: &str| {
            moto.boto3(REGION, &format!(
                "cognito.create_user_pool_client(UserPoolId='{pool}', ClientName='{name}', CallbackURLs=['{callback}'], \
                 LogoutURLs=['https://{name}.example.com/'], AllowedOAuthFlows=['code'], AllowedOAuthScopes=['openid', 'email'], \
                 AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders={providers})"
            ));
        };
        client(
            &prod,
            "web",
            "['EntraID', 'Google', 'COGNITO']",
            "https://web.example.com/cb",
        );
        client(&prod, "spa", "['entra-oidc']", "https://spa.example.com/cb");
        client(
            &partners,
            "alpha",
            "['EntraFile']",
            "https://alpha.example.com/cb",
        );
        client(
            &partners,
            "beta",
            "['EntraFile']",
            "https://beta.example.com/cb",
        );
        Account {
            moto,
            entra,
            dir: tempdir(),
            prod,
            partners,
            empty,
        }
    }

    fn state(&self) -> std::path::PathBuf {
        self.dir.path().join("state")
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        let mut c = self.moto.cmd(&self.state());
        c.env("SSL_CERT_FILE", &self.entra.ca_file)
            .env("COGNITO_ENTRA_AUTHORITY", self.entra.authority())
            .env("AWS_REGION", REGION)
            .args(args)
            .stdin(Stdio::null());
        run(&mut c)
    }
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

fn rows(report: &Value) -> Vec<Value> {
    report["rows"].as_array().cloned().unwrap_or_default()
}

fn row<'a>(rows: &'a [Value], provider: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["provider"] == provider)
        .unwrap_or_else(|| panic!("no row for {provider}: {rows:?}"))
}

/// Every file under the state folder, as text.
fn everything_on_disk(dir: &std::path::Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
    }
    all
}

#[test]
fn the_entra_federations_become_setups_whose_plans_are_empty() {
    let account = Account::made_by_hand();

    // Asked without a terminal and without --yes: shown, nothing saved.
    let out = account.cmd(&["import"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Nothing was saved"),
        "{}",
        stderr(&out)
    );
    let table = stdout(&out);
    for text in [
        "PROVIDER",
        "VERDICT",
        "EntraID",
        "entra-oidc",
        "EntraFile",
        "Left alone: 2 other providers (not Entra's), 1 pool with no Entra federation",
    ] {
        assert!(table.contains(text), "{text}:\n{table}");
    }
    assert!(
        !table.contains("Okta") && !table.contains("Google"),
        "{table}"
    );
    assert!(!account.state().join("entraid-prod-users.toml").exists());

    let report: Value = serde_json::from_str(&ok(&account.cmd(&["import", "--yes", "--json"])))
        .unwrap_or_else(|e| panic!("{e}"));
    let found = rows(&report);
    let mut providers: Vec<&str> = found
        .iter()
        .filter_map(|r| r["provider"].as_str())
        .collect();
    providers.sort();
    assert_eq!(
        providers,
        ["EntraFile", "EntraID", "entra-oidc"],
        "{report:#}"
    );
    assert_eq!(report["other_providers"], 2, "Google and Okta: {report:#}");
    assert_eq!(report["pools"], 3);
    assert_eq!(report["pools_without_entra"], 1, "{report:#}");
    assert!(report["reads"].as_u64().unwrap_or(0) > 0, "{report:#}");
    for r in &found {
        assert_eq!(r["outcome"], "imported", "{r:#}");
        assert_eq!(r["tenant"], TENANT, "{r:#}");
        assert!(
            r["verdict"].as_str().unwrap_or("").starts_with("working"),
            "{r:#}"
        );
    }
    assert_eq!(row(&found, "EntraID")["pool_id"], account.prod.as_str());
    let file = row(&found, "EntraFile");
    assert_eq!(file["pool_id"], account.partners.as_str());
    assert_eq!(file["clients"], serde_json::json!(["alpha", "beta"]));
    let notes = file["notes"].to_string();
    assert!(notes.contains("also offered by beta"), "{notes}");
    let oidc_notes = row(&found, "entra-oidc")["notes"].to_string();
    assert!(oidc_notes.contains("stays in Cognito"), "{oidc_notes}");
    assert!(
        !report.to_string().contains(&account.empty),
        "an empty pool is only counted"
    );

    // No secret anywhere on disk: not the OIDC one, not Google's.
    let disk = everything_on_disk(&account.state());
    assert!(
        !disk.contains(SECRET),
        "the OIDC client secret reached the disk"
    );
    assert!(!disk.contains("g-secret"));

    // The test of a faithful import: each plan is empty.
    for r in &found {
        let name = r["setup"].as_str().unwrap_or_default();
        let plan = ok(&account.cmd(&["plan", "--setup", name]));
        assert!(plan.contains("No changes"), "plan of {name}:\n{plan}");
    }

    // A second import finds the same and writes nothing.
    let before = everything_on_disk(&account.state());
    let again: Value = serde_json::from_str(&ok(&account.cmd(&["import", "--yes", "--json"])))
        .unwrap_or_else(|e| panic!("{e}"));
    for r in rows(&again) {
        assert_eq!(r["outcome"], "already managed", "{r:#}");
    }
    assert_eq!(everything_on_disk(&account.state()), before);

    // Destroy of an imported setup takes nothing down.
    let name = row(&found, "EntraID")["setup"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let out = ok(&account.cmd(&["destroy", "--setup", &name, "--yes"]));
    assert!(
        out.contains("imported (made outside the tool), so destroy takes nothing down"),
        "{out}"
    );
    let provider = account.moto.boto3(
        REGION,
        &format!(
            "cognito.describe_identity_provider(UserPoolId='{}', ProviderName='EntraID')",
            account.prod
        ),
    );
    assert_eq!(
        provider["IdentityProvider"]["ProviderName"], "EntraID",
        "{out}"
    );
    let clients = account.moto.boto3(
        REGION,
        &format!(
            "cognito.list_user_pool_clients(UserPoolId='{}', MaxResults=60)",
            account.prod
        ),
    );
    assert_eq!(
        clients["UserPoolClients"].as_array().map(Vec::len),
        Some(2),
        "{out}"
    );

    // A provider taken away since is reported against its setup.
    account.moto.boto3(
        REGION,
        &format!(
            "cognito.delete_identity_provider(UserPoolId='{}', ProviderName='EntraFile')",
            account.partners
        ),
    );
    let third: Value = serde_json::from_str(&ok(&account.cmd(&["import", "--yes", "--json"])))
        .unwrap_or_else(|e| panic!("{e}"));
    let gone = third["gone"].as_array().cloned().unwrap_or_default();
    assert_eq!(gone.len(), 1, "{third:#}");
    assert_eq!(gone[0]["provider"], "EntraFile");
}

/// The raw body of a stand-in URL (its metadata documents).
fn fetch_text(standin: &common::graph::Standin, url: &str) -> String {
    let out = std::process::Command::new(common::moto::python())
        .args([
            "-c",
            "import ssl, sys, urllib.request\n\
             context = ssl.create_default_context(cafile=sys.argv[1])\n\
             sys.stdout.write(urllib.request.urlopen(sys.argv[2], context=context).read().decode())",
        ])
        .arg(standin.ca())
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("python: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn with_graph_each_federations_application_is_found_and_recorded() {
    let moto = Moto::start();
    let entra = common::graph::Standin::start();
    let dir = tempdir();
    let q = |s: &str| {
        s.replace(':', "%3A")
            .replace('/', "%2F")
            .replace(' ', "%20")
    };
    let pool = |name: &str, domain: &str| -> String {
        let v = moto.boto3(
            REGION,
            &format!("cognito.create_user_pool(PoolName='{name}')"),
        );
        let id = v["UserPool"]["Id"].as_str().unwrap_or_default().to_string();
        moto.boto3(
            REGION,
            &format!("cognito.create_user_pool_domain(UserPoolId='{id}', Domain='{domain}')"),
        );
        id
    };
    let by_url = pool("by url", "by-url-login");
    let by_file = pool("by file", "by-file-login");
    // Two applications made in the portal: one named by the metadata URL's appid, one found
    // only by the Entity ID it holds (its provider was made from a downloaded file).
    let named = entra.ask(&format!("__make_app?name={}&saml=1", q("Payroll SSO")))["appId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let holder = entra.ask(&format!(
        "__make_app?name={}&identifier={}&saml=1",
        q("Partner portal"),
        q(&format!("urn:amazon:cognito:sp:{by_file}"))
    ))["appId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!named.is_empty() && !holder.is_empty());
    let metadata = |app: &str| {
        format!(
            "{}/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={app}",
            entra.authority
        )
    };
    moto.boto3(REGION, &format!(
        "cognito.create_identity_provider(UserPoolId='{by_url}', ProviderName='EntraID', ProviderType='SAML', \
         ProviderDetails={{'MetadataURL': '{}'}}, AttributeMapping={{'email': 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'}})",
        metadata(&named)
    ));
    let document = fetch_text(&entra, &metadata(&holder));
    assert!(document.contains("EntityDescriptor"), "{document}");
    moto.boto3(REGION, &format!(
        "cognito.create_identity_provider(UserPoolId='{by_file}', ProviderName='Partners', ProviderType='SAML', \
         ProviderDetails={{'MetadataFile': '''{}'''}}, AttributeMapping={{'email': 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'}})",
        document.replace('\'', "\\'")
    ));
    for (pool, provider) in [(&by_url, "EntraID"), (&by_file, "Partners")] {
        moto.boto3(REGION, &format!(
            "cognito.create_user_pool_client(UserPoolId='{pool}', ClientName='web', CallbackURLs=['https://app.example.com/cb'], \
             AllowedOAuthFlows=['code'], AllowedOAuthScopes=['openid', 'email'], AllowedOAuthFlowsUserPoolClient=True, \
             SupportedIdentityProviders=['{provider}'])"
        ));
    }
    let writes_before = entra.writes();
    let mut c = moto.cmd(&dir.path().join("state"));
    c.env("COGNITO_ENTRA_AUTHORITY", &entra.authority)
        .env("COGNITO_ENTRA_GRAPH_URL", &entra.graph)
        .env("SSL_CERT_FILE", entra.ca())
        .env("AWS_REGION", REGION)
        .args(["import", "--entra", "graph", "--yes", "--json"]);
    let report: Value = serde_json::from_str(&ok(&run(&mut c))).unwrap_or_else(|e| panic!("{e}"));
    let found = rows(&report);
    assert_eq!(found.len(), 2, "{report:#}");
    for (provider, app, how) in [
        ("EntraID", &named, "its Application (client) ID"),
        ("Partners", &holder, "the Entity ID it holds"),
    ] {
        let r = row(&found, provider);
        let notes = r["notes"].to_string();
        assert!(
            notes.contains(app.as_str()) && notes.contains(how),
            "{provider}: {notes}"
        );
        let name = r["setup"].as_str().unwrap_or_default();
        let state: toml::Table =
            std::fs::read_to_string(dir.path().join("state").join(format!("{name}.toml")))
                .unwrap_or_default()
                .parse()
                .unwrap_or_else(|e| panic!("{e}"));
        let graph = &state["entra"]["graph"];
        assert_eq!(graph["app_id"].as_str(), Some(app.as_str()), "{state:#?}");
        assert_eq!(
            graph["created"].as_bool(),
            Some(false),
            "adopted, never removed"
        );
    }
    assert_eq!(entra.writes(), writes_before, "import wrote to Entra");
}
