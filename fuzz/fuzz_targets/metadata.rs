//! Whatever bytes a metadata URL or file serves, the parser and its judgement must return
//! (a report or an error), never panic or hang.
#![no_main]

use cognito_entra::entra::metadata::{Origin, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let _ = analyze(data, &Origin::File("fuzz.xml".into()), now);
});
