//! Every AWS call in the `-v` log, from one place: an SDK interceptor on the Cognito and STS
//! clients sees each attempt of each operation (retries included), whichever method sent it.
//! A line per attempt: the service and operation, the attempt's number, what came back (the
//! HTTP status and AWS's error code, or why there was no answer) and how long it took.
//! Nothing of the request or the answer's body is logged but the error code.

use std::time::Instant;

use aws_sdk_cognitoidentityprovider::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_cognitoidentityprovider::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use cognito_entra_core::verbose_log;

/// The interceptor; add it to every AWS client's configuration.
#[derive(Debug, Default)]
pub struct CallLog;

/// When the current attempt started, and its number.
#[derive(Debug, Clone)]
struct Attempt {
    started: Instant,
    number: u32,
}

impl Storable for Attempt {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "cognito-entra -v log"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if verbose_log::enabled() {
            let number = cfg.load::<Attempt>().map_or(1, |a| a.number + 1);
            cfg.interceptor_state().store_put(Attempt {
                started: Instant::now(),
                number,
            });
        }
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(attempt) = cfg.load::<Attempt>() else {
            return Ok(());
        };
        let operation = cfg
            .load::<Metadata>()
            .map(|m| format!("{} {}", m.service(), m.name()))
            .unwrap_or_else(|| "AWS call".to_string());
        let outcome = match (context.response(), context.output_or_error()) {
            (Some(response), _) => answered(response),
            (None, Some(Err(error))) => format!("no answer: {}", error_chain(error)),
            (None, _) => "no answer".to_string(),
        };
        verbose_log::call(
            "aws",
            &format!("{operation} attempt {}", attempt.number),
            &outcome,
            attempt.started.elapsed(),
        );
        Ok(())
    }
}

/// `HTTP 200`, or `HTTP 400 InvalidParameterException`: the status and, for an error, the
/// code AWS gave (a JSON protocol's header or `__type`, a query protocol's `<Code>`).
fn answered(response: &HttpResponse) -> String {
    let status = response.status().as_u16();
    if status < 300 {
        return format!("HTTP {status}");
    }
    let body = response
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    match error_code(response.headers().get("x-amzn-errortype"), &body) {
        Some(code) => format!("HTTP {status} {code}"),
        None => format!("HTTP {status}"),
    }
}

/// AWS's error code, from the `x-amzn-ErrorType` header, a JSON body's `__type` or `code`, or
/// an XML body's `<Code>`; without any namespace (`com.amazonaws…#`) or trailing URL.
fn error_code(header: Option<&str>, body: &str) -> Option<String> {
    let raw = header.map(str::to_string).or_else(|| {
        let json: serde_json::Value = serde_json::from_str(body).ok()?;
        ["__type", "code", "Code"]
            .iter()
            .find_map(|k| json[k].as_str().map(str::to_string))
    });
    let raw = raw.or_else(|| {
        let start = body.find("<Code>")? + "<Code>".len();
        let end = body[start..].find("</Code>")? + start;
        Some(body[start..end].to_string())
    })?;
    let code = raw.split(':').next().unwrap_or_default();
    let code = code.rsplit('#').next().unwrap_or_default().trim();
    // A code is a word: anything else an answer put there is not repeated.
    (!code.is_empty()
        && code.len() <= 80
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
    .then(|| code.to_string())
}

/// An error's messages and their sources, each once.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        if !text.trim().is_empty() && !parts.iter().any(|p| p.contains(text.trim())) {
            parts.push(text.trim().to_string());
        }
        current = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_read_from_each_protocol() {
        assert_eq!(
            error_code(
                Some("InvalidParameterException:http://internal.amazon.com/coral/"),
                ""
            )
            .as_deref(),
            Some("InvalidParameterException")
        );
        assert_eq!(
            error_code(
                None,
                r#"{"__type":"com.amazonaws.cognito#ResourceNotFoundException","message":"x"}"#
            )
            .as_deref(),
            Some("ResourceNotFoundException")
        );
        assert_eq!(
            error_code(
                None,
                "<ErrorResponse><Error><Code>ExpiredToken</Code></Error></ErrorResponse>"
            )
            .as_deref(),
            Some("ExpiredToken")
        );
        assert_eq!(error_code(None, "<html>bad gateway</html>"), None);
    }
}
