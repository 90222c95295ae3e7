//! The apply engine against the in-memory fake (which follows the AWS API reference): an
//! interruption after every write step in turn is finished by the next run, and every error
//! kind reads as advice.

use cognito_entra::plan::{self, EntraInput, Options, Plan};
use cognito_entra::setup::{Known, Setup, load};
use cognito_entra_cognito::advice::advice;
use cognito_entra_cognito::api::{ApiError, ClientConfig, CognitoApi, ErrorKind};
use cognito_entra_cognito::apply::{ApplyError, Ids, apply};
use cognito_entra_cognito::fake::{FakeCognito, WRITE_OPERATIONS};
use cognito_entra_cognito::observe::observe;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
        .block_on(f)
}

fn setup(managed_login: bool) -> Setup {
    let text = format!(
        r#"
name = "fake"
protocol = "saml"
region = "us-east-1"
[user_pool]
name = "fake-users"
[domain]
prefix = "fake-login"
managed_login = {managed_login}
[app_client]
name = "web"
callback_urls = ["https://app.example.com/cb"]
[saml]
metadata_url = "https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml?appid=a"
"#
    );
    load::parse(text.as_bytes(), "fake").unwrap_or_else(|p| panic!("{p:?}"))
}

fn entra() -> EntraInput {
    EntraInput {
        metadata_url: Some("https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml?appid=a".into()),
        ..EntraInput::default()
    }
}

/// One run as the command does it: observe, plan, apply; the IDs it learns are "saved".
async fn run_once(api: &FakeCognito, setup: &Setup, saved: &mut Known) -> Result<Plan, ApplyError> {
    let observed = observe(api, setup, saved)
        .await
        .unwrap_or_else(|e| panic!("observe: {e:?}"));
    let plan = plan::plan(setup, &observed, &entra(), Options::default())
        .unwrap_or_else(|r| panic!("plan: {r:?}"));
    let mut ids = Ids {
        user_pool_id: observed.pool.as_ref().map(|p| p.id.clone()),
        client_id: observed.client.as_ref().and_then(|c| c.client_id.clone()),
    };
    let result = apply(api, &plan, &mut ids, |event| {
        if let cognito_entra_cognito::apply::Event::Finished(_, _, ids) = event {
            saved.user_pool_id = ids.user_pool_id.clone().or(saved.user_pool_id.take());
            saved.client_id = ids.client_id.clone().or(saved.client_id.take());
        }
        Ok(())
    })
    .await;
    result.map(|_| plan)
}

#[test]
fn an_interruption_after_every_write_in_turn_is_finished_by_the_next_run() {
    let setup = setup(true);
    // First, how many writes a clean run makes.
    let clean = FakeCognito::new("us-east-1");
    block_on(run_once(&clean, &setup, &mut Known::default())).unwrap_or_else(|e| panic!("{e:?}"));
    let writes = clean.write_calls();
    assert_eq!(
        writes,
        [
            "CreateUserPool",
            "CreateUserPoolDomain",
            "CreateIdentityProvider",
            "CreateUserPoolClient",
            "CreateManagedLoginBranding"
        ]
    );

    for (step, op) in writes.iter().enumerate() {
        let api = FakeCognito::new("us-east-1");
        let mut saved = Known::default();
        // The run stops at this write: the writes before it happened, this one did not.
        api.fail_next(op, ErrorKind::Other, "interrupted");
        let first = block_on(run_once(&api, &setup, &mut saved));
        match first {
            Err(ApplyError::Api { index, error }) => {
                assert_eq!(index, step, "{op}");
                assert_eq!(error.kind, ErrorKind::Other);
            }
            other => panic!("{op}: expected a network failure, got {other:?}"),
        }
        // Lose what the failed run learned half of the time: adoption by name must cover it.
        if step % 2 == 1 {
            saved = Known::default();
        }
        block_on(run_once(&api, &setup, &mut saved))
            .unwrap_or_else(|e| panic!("{op}: second run {e:?}"));
        assert_eq!(api.counts(), (1, 1, 1, 1), "after an interruption at {op}");
        api.clear_calls();
        let third =
            block_on(run_once(&api, &setup, &mut saved)).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(third.is_empty(), "{op}: not converged: {}", third.render());
        assert!(
            api.write_calls().is_empty(),
            "{op}: a converged run wrote {:?}",
            api.write_calls()
        );
    }
}

#[test]
fn client_updates_are_read_modify_write_against_a_resetting_api() {
    let api = FakeCognito::new("us-east-1");
    let pool = api.seed_pool("fake-users", &[]);
    let client_id = api.seed_client(
        &pool,
        ClientConfig {
            client_name: "web".into(),
            callback_urls: vec!["https://old.example.com/cb".into()],
            allowed_oauth_flows: vec!["code".into()],
            allowed_oauth_scopes: vec!["openid".into()],
            allowed_oauth_flows_user_pool_client: true,
            supported_identity_providers: vec!["COGNITO".into()],
            explicit_auth_flows: vec!["ALLOW_USER_SRP_AUTH".into()],
            access_token_validity: Some(5),
            token_validity_units: Some((Some("minutes".into()), None, None)),
            read_attributes: vec!["email".into()],
            ..ClientConfig::default()
        },
    );
    let setup = setup(false);
    block_on(run_once(&api, &setup, &mut Known::default())).unwrap_or_else(|e| panic!("{e:?}"));
    let client = api
        .client(&pool, &client_id)
        .unwrap_or_else(|| panic!("client gone"));
    assert_eq!(client.supported_identity_providers, ["COGNITO", "EntraID"]);
    assert_eq!(
        client.callback_urls,
        ["https://old.example.com/cb", "https://app.example.com/cb"]
    );
    assert_eq!(client.explicit_auth_flows, ["ALLOW_USER_SRP_AUTH"]);
    assert_eq!(client.access_token_validity, Some(5));
    assert_eq!(
        client.token_validity_units,
        Some((Some("minutes".into()), None, None))
    );
    assert_eq!(client.read_attributes, ["email"]);
}

#[test]
fn the_fake_refuses_what_aws_refuses() {
    let api = FakeCognito::new("us-east-1");
    let pool = api.seed_pool("p", &[]);
    let bad = ClientConfig {
        client_name: "c".into(),
        supported_identity_providers: vec!["Nope".into()],
        ..ClientConfig::default()
    };
    let err = block_on(api.create_user_pool_client(&pool, &bad)).err();
    assert_eq!(err.map(|e| e.kind), Some(ErrorKind::InvalidParameter));
    block_on(api.create_domain(&pool, "taken", false)).unwrap_or_else(|e| panic!("{e}"));
    let other = api.seed_pool("q", &[]);
    let err = block_on(api.create_domain(&other, "taken", false)).err();
    assert_eq!(err.map(|e| e.kind), Some(ErrorKind::InvalidParameter));
}

#[test]
fn required_pool_attributes_must_be_mapped() {
    let api = FakeCognito::new("us-east-1");
    let pool = api.seed_pool("fake-users", &["email", "phone_number"]);
    let setup = setup(false);
    let observed =
        block_on(observe(&api, &setup, &Known::default())).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(observed.pool.as_ref().map(|p| p.id.clone()), Some(pool));
    let refusals = plan::plan(&setup, &observed, &entra(), Options::default())
        .err()
        .unwrap_or_default();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(refusals[0].field, "provider.attribute_mapping.phone_number");
    assert!(
        refusals[0]
            .problem
            .contains("every first sign-in would fail")
    );
    assert!(api.write_calls().is_empty());
}

#[test]
fn every_error_kind_reads_as_advice() {
    let cases: Vec<(ErrorKind, &str, &[&str])> = vec![
        (
            ErrorKind::NoCredentials,
            "ListUserPools",
            &[
                "no usable AWS credentials",
                "tried: environment variables",
                "aws sso login --profile admin",
                "aws configure",
            ],
        ),
        (
            ErrorKind::ExpiredCredentials,
            "ListUserPools",
            &["session has expired", "aws sso login --profile admin"],
        ),
        (
            ErrorKind::AccessDenied,
            "CreateIdentityProvider",
            &["cognito-idp:CreateIdentityProvider", "docs/permissions.md"],
        ),
        (
            ErrorKind::NotFound,
            "DescribeUserPool",
            &[
                "not found in region eu-north-1",
                "check the ID and the region",
            ],
        ),
        (
            ErrorKind::InvalidParameter,
            "CreateUserPoolClient",
            &[
                "AWS refused a value in CreateUserPoolClient",
                "[app_client]",
            ],
        ),
        (
            ErrorKind::InvalidParameter,
            "CreateUserPoolDomain",
            &["[domain]"],
        ),
        (
            ErrorKind::Throttled,
            "UpdateUserPoolClient",
            &["throttling", "wait a few seconds"],
        ),
        (
            ErrorKind::Network,
            "CreateUserPool",
            &["cannot reach Cognito in eu-north-1", "AWS_ENDPOINT_URL"],
        ),
        (
            ErrorKind::Duplicate,
            "CreateIdentityProvider",
            &["run the command again, it will adopt it"],
        ),
    ];
    for (kind, op, expected) in cases {
        let text = advice(
            &ApiError::new(kind.clone(), op, "the service said so\nsecond line"),
            Some("admin"),
            "eu-north-1",
        );
        for e in expected {
            assert!(text.contains(e), "{kind:?}: {e:?} not in {text:?}");
        }
        assert!(
            !text.contains("second line"),
            "only the first line of the service message: {text}"
        );
    }
    assert!(WRITE_OPERATIONS.contains(&"UpdateUserPoolClient"));
}

#[test]
fn the_wizard_prepares_pool_domain_and_client_first_then_adds_the_provider() {
    use cognito_entra::plan::Phase;
    let api = FakeCognito::new("us-east-1");
    let setup = setup(false);
    let run_phase = |phase: Phase| {
        block_on(async {
            let observed = observe(&api, &setup, &Known::default())
                .await
                .unwrap_or_else(|e| panic!("{e:?}"));
            let options = Options {
                phase,
                ..Options::default()
            };
            let plan = plan::plan(&setup, &observed, &entra(), options)
                .unwrap_or_else(|r| panic!("{r:?}"));
            let mut ids = Ids {
                user_pool_id: observed.pool.as_ref().map(|p| p.id.clone()),
                client_id: observed.client.as_ref().and_then(|c| c.client_id.clone()),
            };
            apply(&api, &plan, &mut ids, |_| Ok(()))
                .await
                .unwrap_or_else(|e| panic!("{e:?}"));
            (plan, ids)
        })
    };
    let (prepare, ids) = run_phase(Phase::Prepare);
    let kinds: Vec<String> = prepare.changes.iter().map(|c| c.id()).collect();
    assert_eq!(
        kinds,
        [
            "create user_pool fake-users",
            "create domain fake-login",
            "create app_client web"
        ]
    );
    let (pool, client_id) = (
        ids.user_pool_id.unwrap_or_default(),
        ids.client_id.unwrap_or_default(),
    );
    let client = api
        .client(&pool, &client_id)
        .unwrap_or_else(|| panic!("no client"));
    assert!(
        client.supported_identity_providers.is_empty()
            && !client.allowed_oauth_flows_user_pool_client
    );
    // Preparing again is a no-op.
    assert!(run_phase(Phase::Prepare).0.is_empty());

    let (full, _) = run_phase(Phase::Full);
    let kinds: Vec<String> = full.changes.iter().map(|c| c.id()).collect();
    assert_eq!(
        kinds,
        ["create identity_provider EntraID", "update app_client web"]
    );
    let client = api
        .client(&pool, &client_id)
        .unwrap_or_else(|| panic!("no client"));
    assert_eq!(client.supported_identity_providers, ["EntraID"]);
    assert!(client.allowed_oauth_flows_user_pool_client);
    assert_eq!(client.allowed_oauth_flows, ["code"]);
    assert!(run_phase(Phase::Full).0.is_empty());
}

/// A create carried out whose answer is lost (or that timed out, or that a proxy answered with
/// a 5xx) is found by reading and adopted: one run succeeds, and nothing exists twice.
#[test]
fn a_lost_answer_to_any_create_is_resolved_by_reading_not_by_sending_again() {
    let setup = setup(true);
    let creates = [
        "CreateUserPool",
        "CreateUserPoolDomain",
        "CreateIdentityProvider",
        "CreateUserPoolClient",
        "CreateManagedLoginBranding",
    ];
    for kind in [
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::ServerError,
    ] {
        for op in creates {
            let api = FakeCognito::new("us-east-1");
            api.lose_answer_next(op, kind.clone(), "the answer never came");
            let mut saved = Known::default();
            block_on(run_once(&api, &setup, &mut saved))
                .unwrap_or_else(|e| panic!("{op} {kind:?}: {e:?}"));
            assert_eq!(api.counts(), (1, 1, 1, 1), "{op} {kind:?}");
            let sent = api.write_calls().iter().filter(|c| *c == op).count();
            assert_eq!(sent, 1, "{op} {kind:?} was sent {sent} times");
            assert!(saved.user_pool_id.is_some() && saved.client_id.is_some());
            api.clear_calls();
            let again =
                block_on(run_once(&api, &setup, &mut saved)).unwrap_or_else(|e| panic!("{e:?}"));
            assert!(again.is_empty(), "{op} {kind:?}: {}", again.render());
        }
    }
}

/// A create that failed before it was carried out (the connection dropped on the way there)
/// is looked for, not found, and sent once more; a throttled one is sent again after a pause.
#[test]
fn a_create_that_never_arrived_is_sent_once_more_after_a_read_and_throttling_is_waited_out() {
    let setup = setup(true);
    for (kind, op) in [
        (ErrorKind::Network, "CreateUserPool"),
        (ErrorKind::ServerError, "CreateUserPoolClient"),
        (ErrorKind::Throttled, "CreateIdentityProvider"),
    ] {
        let api = FakeCognito::new("us-east-1");
        api.fail_next(op, kind.clone(), "no");
        block_on(run_once(&api, &setup, &mut Known::default()))
            .unwrap_or_else(|e| panic!("{op} {kind:?}: {e:?}"));
        assert_eq!(api.counts(), (1, 1, 1, 1), "{op} {kind:?}");
        let sent = api.calls().iter().filter(|c| *c == op).count();
        assert_eq!(sent, 2, "{op} {kind:?}: sent {sent} times");
    }
}

/// Whether branding exists is read from the account: a branding that an interrupted run made
/// (and never recorded) is not created a second time.
#[test]
fn branding_made_by_an_unrecorded_run_is_seen_and_not_created_again() {
    let setup = setup(true);
    let api = FakeCognito::new("us-east-1");
    let mut saved = Known::default();
    block_on(run_once(&api, &setup, &mut saved)).unwrap_or_else(|e| panic!("{e:?}"));
    api.clear_calls();
    // A state file that knows nothing of the branding.
    let again =
        block_on(run_once(&api, &setup, &mut Known::default())).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(again.is_empty(), "{}", again.render());
    assert!(
        api.calls()
            .iter()
            .any(|c| c == "DescribeManagedLoginBrandingByClient")
    );
}

/// The calls that do not depend on each other are in flight together: the pool list beside
/// the domain read; after the pool, the domain, the provider and the signing certificate;
/// the client after the provider; the branding after the client. A converged plan reads
/// everything at once.
#[test]
fn independent_calls_are_in_flight_together_and_dependent_ones_wait() {
    use cognito_entra_cognito::fake::Span;
    let setup = setup(true);
    let api = FakeCognito::new("us-east-1").with_latency(std::time::Duration::from_millis(20));
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let spans = |api: &FakeCognito, op: &str| -> Vec<Span> {
        api.spans()
            .into_iter()
            .filter(|s| s.operation == op)
            .collect()
    };
    let one = |api: &FakeCognito, op: &str| -> Span {
        let found = spans(api, op);
        assert_eq!(found.len(), 1, "{op}: {:?}", api.spans());
        found[0].clone()
    };
    let before = |a: &Span, b: &Span| a.end.is_some_and(|end| end < b.start);

    let mut known = Known::default();
    block_on(async {
        let observed = observe(&api, &setup, &known)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let plan = plan::plan(&setup, &observed, &entra(), Options::default())
            .unwrap_or_else(|r| panic!("{r:?}"));
        let mut ids = Ids::default();
        cognito_entra::engine::apply_planned(&api, &plan, &setup, &mut ids, out.path(), |_| Ok(()))
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        known.user_pool_id = ids.user_pool_id;
        known.client_id = ids.client_id;
    });
    let list = one(&api, "ListUserPools");
    let domain_read = one(&api, "DescribeUserPoolDomain");
    assert!(list.overlaps(&domain_read), "{:?}", api.spans());
    let pool = one(&api, "CreateUserPool");
    let domain = one(&api, "CreateUserPoolDomain");
    let provider = one(&api, "CreateIdentityProvider");
    let certificate = one(&api, "GetSigningCertificate");
    let client = one(&api, "CreateUserPoolClient");
    let branding = one(&api, "CreateManagedLoginBranding");
    for after_pool in [&domain, &provider, &certificate] {
        assert!(before(&pool, after_pool), "{:?}", api.spans());
    }
    assert!(
        domain.overlaps(&provider),
        "domain ∥ provider: {:?}",
        api.spans()
    );
    assert!(
        domain.overlaps(&certificate),
        "domain ∥ certificate: {:?}",
        api.spans()
    );
    assert!(
        provider.overlaps(&certificate),
        "provider ∥ certificate: {:?}",
        api.spans()
    );
    assert!(before(&provider, &client), "{:?}", api.spans());
    assert!(before(&client, &branding), "{:?}", api.spans());

    // Converged: one round of reads, all in flight together.
    api.clear_calls();
    let from = api.spans().len();
    let observed = block_on(observe(&api, &setup, &known)).unwrap_or_else(|e| panic!("{e:?}"));
    let plan = plan::plan(&setup, &observed, &entra(), Options::default())
        .unwrap_or_else(|r| panic!("{r:?}"));
    assert!(plan.is_empty(), "{}", plan.render());
    let reads: Vec<Span> = api.spans()[from..].to_vec();
    assert!(reads.len() >= 6, "{reads:?}");
    for a in &reads {
        for b in &reads {
            assert!(a.overlaps(b), "not one round: {reads:?}");
        }
    }
}

/// A failure in one change of a wave lets the others finish, and what finished is reported
/// (to be recorded) before the failure, in the plan's order.
#[test]
fn a_failure_in_one_branch_lets_the_other_finish_and_both_are_reported() {
    let setup = setup(false);
    let api = FakeCognito::new("us-east-1").with_latency(std::time::Duration::from_millis(5));
    api.fail_next(
        "CreateUserPoolDomain",
        ErrorKind::InvalidParameter,
        "Domain is reserved.",
    );
    let mut events = Vec::new();
    let result = block_on(async {
        let observed = observe(&api, &setup, &Known::default())
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let plan = plan::plan(&setup, &observed, &entra(), Options::default())
            .unwrap_or_else(|r| panic!("{r:?}"));
        let mut ids = Ids::default();
        apply(&api, &plan, &mut ids, |event| {
            events.push(match event {
                cognito_entra_cognito::apply::Event::Started(i, c) => {
                    format!("start {i} {}", c.id())
                }
                cognito_entra_cognito::apply::Event::Finished(i, c, _) => {
                    format!("done {i} {}", c.id())
                }
            });
            Ok(())
        })
        .await
    });
    match result {
        Err(ApplyError::Api { index, error }) => {
            assert_eq!(index, 1, "{error:?}");
            assert_eq!(error.kind, ErrorKind::InvalidParameter);
        }
        other => panic!("expected the domain to fail: {other:?}"),
    }
    assert_eq!(
        events,
        [
            "start 0 create user_pool fake-users",
            "done 0 create user_pool fake-users",
            "start 2 create identity_provider EntraID",
            "done 2 create identity_provider EntraID",
            "start 1 create domain fake-login",
        ],
        "the provider (same wave) finished and is reported; the client (next wave) never ran"
    );
    assert_eq!(api.counts(), (1, 0, 1, 0));
}
