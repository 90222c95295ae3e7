//! Whatever an admin pastes as a captured SAML response (value, XML, HAR), extraction, parsing
//! and judging must return, never panic or hang.
#![no_main]

use cognito_entra::saml_response::{extract, judge, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    if let Ok((xml, _)) = extract(data)
        && let Ok(mut decoded) = parse(&xml)
    {
        judge(&mut decoded, now, None, &[]);
    }
});
