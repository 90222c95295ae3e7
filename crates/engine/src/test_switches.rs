//! Switches the tests use to make the wizard fail on purpose (a panic on F12, a panic in every
//! worker task), to prove the terminal comes back whole. They read their environment
//! variables only in test builds (feature test-support); in what a user runs they are off and
//! the variables' names are not in the binary.

/// The wizard panics when F12 is pressed (`COGNITO_ENTRA_TEST_PANIC`).
pub fn panic_on_f12() -> bool {
    #[cfg(feature = "test-support")]
    {
        std::env::var_os("COGNITO_ENTRA_TEST_PANIC").is_some()
    }
    #[cfg(not(feature = "test-support"))]
    {
        false
    }
}

/// Every worker task of the wizard panics (`COGNITO_ENTRA_TEST_PANIC_IN_TASK`).
pub fn panic_in_task() -> bool {
    #[cfg(feature = "test-support")]
    {
        std::env::var_os("COGNITO_ENTRA_TEST_PANIC_IN_TASK").is_some()
    }
    #[cfg(not(feature = "test-support"))]
    {
        false
    }
}

/// `rotate` stops at this step and waits to be killed (`COGNITO_ENTRA_TEST_PAUSE_AT=STEP`):
/// a run stopped between two steps, for the test that the next run finishes it.
pub fn pause_at(step: &str) -> bool {
    #[cfg(feature = "test-support")]
    {
        std::env::var("COGNITO_ENTRA_TEST_PAUSE_AT").is_ok_and(|v| v == step)
    }
    #[cfg(not(feature = "test-support"))]
    {
        let _ = step;
        false
    }
}
