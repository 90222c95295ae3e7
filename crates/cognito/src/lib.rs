//! The Cognito side: a narrow API (`api`), its SDK implementation (`sdk`), an in-memory fake
//! (`fake`), what the live account holds (`observe`), and the apply engine (`apply`).

pub mod advice;
pub mod api;
pub mod apply;
pub mod call_log;
pub mod certs;
pub mod credentials;
#[cfg(any(test, feature = "test-support"))]
pub mod fake;
pub mod observe;
pub mod profiles;
pub mod sdk;
