//! Text wrapped to a width for both faces: continuation rows keep an indent (a hint wrapped
//! under its field, never back at column 0), and a long word such as a URL is moved to a row
//! of its own before it is broken, so that it is broken only when no row can hold it.

/// Characters after which a word too long for any row may be broken: a URL's own joints.
const JOINTS: [char; 7] = ['/', '?', '&', '=', '.', '-', ','];

/// `text` wrapped to `width` columns: the first row starts with `first`, every later row with
/// `rest`. Runs of spaces inside a row are kept (aligned columns stay aligned); at a break
/// they go. A word that does not fit where it is starts the next row; one longer than that
/// row goes under a shallower indent (not left of where the text starts, nor under two
/// spaces) when it fits whole there, and is
/// broken at a joint (`/`, `?`, `&`, …) only when it fits on no row, each piece indented.
/// Explicit newlines start a new row under `rest`.
pub fn hanging(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let width = width.max(8);
    let cols = |s: &str| s.chars().count();
    // An indent wider than half the row leaves too little room: it gives way.
    let fit_prefix = |p: &str| -> String {
        if cols(p) > width / 2 {
            " ".repeat(width / 2)
        } else {
            p.to_string()
        }
    };
    let first = fit_prefix(first);
    let rest = fit_prefix(rest);
    // How shallow a long word's own row may go: never left of where the text itself starts
    // (a value never looks like the next entry), and never at column 0.
    let floor = (first.len() - first.trim_start_matches(' ').len() + text.len()
        - text.trim_start_matches(' ').len())
    .max(2);
    let mut rows: Vec<String> = Vec::new();
    for (n, paragraph) in text.split('\n').enumerate() {
        let mut row = if n == 0 { first.clone() } else { rest.clone() };
        // Whether the row holds a word yet (its prefix aside).
        let mut has_word = false;
        // A paragraph's own leading spaces are its indent: kept on its first row.
        let mut leading = true;
        for (gap, word) in words(paragraph) {
            let joined = if has_word || leading {
                gap.as_str()
            } else {
                ""
            };
            leading = false;
            if cols(&row) + cols(joined) + cols(word) <= width {
                row.push_str(joined);
                row.push_str(word);
                has_word = true;
                continue;
            }
            if has_word || cols(&row) > cols(&rest) {
                rows.push(std::mem::take(&mut row));
                row = rest.clone();
            }
            let room = width - cols(&row);
            if cols(word) <= room {
                row.push_str(word);
                has_word = true;
                continue;
            }
            // Longer than a row under `rest`: a shallower indent when that holds it whole.
            if cols(word) + floor <= width && row == rest {
                row = " ".repeat((width - cols(word)).min(cols(&rest)));
                row.push_str(word);
                has_word = true;
                continue;
            }
            // No row holds it: pieces broken at joints where possible, each under `rest`.
            let mut left: Vec<char> = word.chars().collect();
            loop {
                let room = width - cols(&row);
                if left.len() <= room {
                    row.extend(left.iter());
                    has_word = true;
                    break;
                }
                let cut = left[..room]
                    .iter()
                    .rposition(|c| JOINTS.contains(c))
                    .map(|i| i + 1)
                    // A joint far back would leave a short row: then the row is filled.
                    .filter(|&i| i >= room * 3 / 4)
                    .unwrap_or(room);
                row.extend(left[..cut].iter());
                rows.push(std::mem::take(&mut row));
                row = rest.clone();
                left.drain(..cut);
            }
        }
        rows.push(row);
    }
    for row in rows.iter_mut() {
        row.truncate(row.trim_end().len());
    }
    rows
}

/// The words of a line, each with the spaces before it.
fn words(line: &str) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        let gap_len = rest.len() - rest.trim_start_matches(' ').len();
        let (gap, after) = rest.split_at(gap_len);
        if after.is_empty() {
            return out;
        }
        let word_len = after.find(' ').unwrap_or(after.len());
        let (word, tail) = after.split_at(word_len);
        out.push((gap.to_string(), word));
        rest = tail;
    }
}

#[cfg(test)]
mod tests {
    use super::hanging;

    #[test]
    fn continuation_rows_keep_the_indent_and_every_row_fits() {
        let hint = "takes COGNITO and other providers off (IdP-initiated SAML needs it); Cognito passwords then stop working through this client";
        let rows = hanging(hint, 40, "    ", "    ");
        assert!(rows.len() > 2, "{rows:?}");
        for row in &rows {
            assert!(row.chars().count() <= 40, "{row:?}");
            assert!(
                row.starts_with("    ") && !row.starts_with("     "),
                "{row:?}"
            );
        }
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(words(&rows.join(" ")), hint);
    }

    #[test]
    fn a_url_that_fits_a_row_of_its_own_is_not_broken() {
        let url = "https://acme-login.auth.ap-northeast-1.amazoncognito.com/saml2/idpresponse";
        let text = format!("open it, sign in at Entra: {url}");
        let rows = hanging(&text, 80, "  ", "  ");
        assert_eq!(
            rows,
            vec![
                "  open it, sign in at Entra:".to_string(),
                format!("  {url}")
            ]
        );
        // Too long for a row under the field's deep indent, not for one under two spaces.
        let rows = hanging(
            &format!("Domain         {url}"),
            78,
            "  ",
            "                 ",
        );
        assert_eq!(rows[1].trim(), url, "{rows:?}");
        assert!(rows[1].starts_with("  "), "{rows:?}");
    }

    #[test]
    fn a_url_longer_than_any_row_breaks_at_its_joints_never_at_column_0() {
        let url = "https://acme-login.auth.ap-northeast-1.amazoncognito.com/oauth2/authorize?identity_provider=AcmeEntra&response_type=code&client_id=3c7v9b1n5m2k8j4h6g0f1d2s5a";
        let rows = hanging(url, 58, "  ", "  ");
        assert!(rows.len() > 2, "{rows:?}");
        for row in &rows {
            assert!(
                row.starts_with("  ") && row.chars().count() <= 58,
                "{row:?}"
            );
        }
        for row in &rows[..rows.len() - 1] {
            assert!(
                row.ends_with(['/', '?', '&', '=', '.', '-', ',']) || row.chars().count() == 58,
                "broken at a joint near the row's end, or the row filled: {rows:?}"
            );
        }
        let joined: String = rows.iter().map(|r| r.trim()).collect();
        assert_eq!(joined, url);
    }

    #[test]
    fn aligned_columns_and_short_text_stay_as_they_are() {
        assert_eq!(
            hanging("Region         eu-west-1", 60, "  ", "    "),
            vec!["  Region         eu-west-1".to_string()]
        );
        assert_eq!(hanging("", 60, "  ", "  "), vec![String::new()]);
        assert_eq!(
            hanging("  - item", 60, "", "    "),
            vec!["  - item".to_string()]
        );
        assert_eq!(
            hanging("one\ntwo", 60, "- ", "  "),
            vec!["- one".to_string(), "  two".to_string()]
        );
    }
}
