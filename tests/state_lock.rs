//! The setup lock, alone in its own test binary on purpose: a child process started by
//! another test thread holds a copy of every open descriptor between its fork and its exec,
//! and with it our flock, so "released on drop" is only observable when nothing else in the
//! same process spawns children. (CI once caught exactly that race in tests/state.rs.)

mod common;

use cognito_entra::state::{StateError, StateStore};
use common::tempdir;

#[test]
fn a_second_holder_of_the_lock_is_refused_with_the_pid() {
    let dir = tempdir();
    let store = StateStore::new(dir.path());
    let held = store.lock("corp").unwrap_or_else(|e| panic!("{e}"));
    match store.lock("corp") {
        Err(e @ StateError::Locked { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains(&format!(
                    "setup \"corp\" is in use by another cognito-entra (pid {})",
                    std::process::id()
                )),
                "{msg}"
            );
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    drop(held);
    assert!(store.lock("corp").is_ok(), "the lock is released on drop");
}
