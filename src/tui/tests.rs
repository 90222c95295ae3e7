//! Screens at 80×24 (and a few at 120×40) as snapshots, and `update` driven key by key.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};

use cognito_entra::cognito::api::{ClientConfig, Pool};
use cognito_entra::journey::Step;
use cognito_entra::journey::questions::Listed;
use cognito_entra::plan::{self, EntraInput, Observed, Options};
use cognito_entra::setup::load;
use cognito_entra::state::State;

use super::app::{Cmd, Model, Msg, Row, Screen, update};
use super::steps::enter;
use super::steps::review::LineState;
use super::view::view;

const SETUP: &str = r#"
name = "acme-portal"
protocol = "saml"
region = "ap-northeast-1"
[user_pool]
id = "ap-northeast-1_Hk3Lm9QwE"
[domain]
prefix = "acme-login"
[app_client]
id = "3c7v9b1n5m2k8j4h6g0f1d2s5a"
callback_urls = ["https://app.acme.example/auth/callback"]
logout_urls = ["https://app.acme.example/"]
scopes = ["openid", "email", "profile"]
[provider]
name = "AcmeEntra"
[saml]
metadata_url = "https://login.microsoftonline.com/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/federationmetadata/2007-06/federationmetadata.xml?appid=3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c"
idp_initiated = true
"#;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "corp-saml".into(),
            protocol: Some(cognito_entra::setup::Protocol::Saml),
            progress: "step 7/12  Entra: single sign-on".into(),
            when: "2 days ago".into(),
        },
        Row {
            name: "staging-oidc".into(),
            protocol: Some(cognito_entra::setup::Protocol::Oidc),
            progress: "done".into(),
            when: "last week".into(),
        },
    ]
}

fn model_at(step: Step, text: &str) -> Model {
    let setup = load::parse(text.as_bytes(), "x").unwrap_or_else(|p| panic!("{p:?}"));
    let mut state = State::new(setup);
    state.aws.user_pool_id = state.answers.user_pool.id.clone();
    state.aws.client_id = state.answers.app_client.id.clone();
    state.aws.profile = Some("acme-admin".into());
    state.mark_done(&Step::ALL[..step.number() - 1]);
    let mut m = Model::new(rows(), "https://login.microsoftonline.com");
    m.color = false;
    m.found.profiles = vec!["acme-admin".into(), "default".into()];
    m.found.pools = vec![Listed {
        id: "ap-northeast-1_Hk3Lm9QwE".into(),
        name: "acme-users".into(),
    }];
    m.found.pools_listed = true;
    m.found.pool_read = state.answers.user_pool.id.clone();
    m.found.pool_domain = Some("acme-login".into());
    m.found.clients = vec![Listed {
        id: "3c7v9b1n5m2k8j4h6g0f1d2s5a".into(),
        name: "portal".into(),
    }];
    m.state = Some(state);
    let _ = enter(&mut m, step);
    m.busy = None;
    m
}

fn draw(m: &Model, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    terminal
        .draw(|f| view(f, m))
        .unwrap_or_else(|e| panic!("{e}"));
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn review_model() -> Model {
    let mut m = model_at(Step::ReviewApply, SETUP);
    let setup = m.setup().cloned().unwrap_or_else(|| panic!("no setup"));
    let observed = Observed {
        pool: Some(Pool {
            id: "ap-northeast-1_Hk3Lm9QwE".into(),
            name: "acme-users".into(),
            domain: None,
            ..Pool::default()
        }),
        client: Some(ClientConfig {
            client_id: Some("3c7v9b1n5m2k8j4h6g0f1d2s5a".into()),
            client_name: "portal".into(),
            callback_urls: vec!["https://app.acme.example/auth/callback".into()],
            allowed_oauth_flows: vec!["code".into()],
            allowed_oauth_scopes: vec!["openid".into(), "email".into(), "profile".into()],
            allowed_oauth_flows_user_pool_client: true,
            supported_identity_providers: vec!["COGNITO".into()],
            ..ClientConfig::default()
        }),
        ..Observed::default()
    };
    let entra = EntraInput {
        metadata_url: setup.saml().metadata_url,
        ..EntraInput::default()
    };
    let options = Options {
        remove_other_providers: true,
        ..Options::default()
    };
    m.review.plan =
        Some(plan::plan(&setup, &observed, &entra, options).unwrap_or_else(|r| panic!("{r:?}")));
    m
}

#[test]
fn screens_at_80x24() {
    let mut welcome = Model::new(rows(), "https://login.microsoftonline.com");
    welcome.color = false;
    insta::assert_snapshot!("welcome", draw(&welcome, 80, 24));
    let _ = update(&mut welcome, key(KeyCode::Down));
    let _ = update(&mut welcome, key(KeyCode::Down));
    let _ = update(&mut welcome, key(KeyCode::Enter));
    insta::assert_snapshot!("naming", draw(&welcome, 80, 24));

    for step in [
        Step::AwsAccount,
        Step::UserPool,
        Step::Domain,
        Step::AppClient,
        Step::Provider,
        Step::EntraPortal,
        Step::BackFromEntra,
        Step::AttributeMapping,
        Step::FinishInEntra,
        Step::TestHandOver,
    ] {
        let m = model_at(step, SETUP);
        insta::assert_snapshot!(
            format!("saml_{:02}_{step:?}", step.number()),
            draw(&m, 80, 24)
        );
    }
    insta::assert_snapshot!("saml_10_review", draw(&review_model(), 80, 24));

    let mut applying = review_model();
    let _ = update(&mut applying, key(KeyCode::Enter));
    assert_eq!(applying.review.progress.len(), 3);
    assert_eq!(applying.review.progress[0].1, LineState::Running);
    applying.review.progress[0].1 = LineState::Done;
    applying.review.progress[1].1 = LineState::Done;
    applying.review.progress[2].1 = LineState::Failed;
    applying.applying = false;
    applying.busy = None;
    applying.review.apply_error = Some(cognito_entra::engine::Error::Aws {
        kind: cognito_entra::cognito::api::ErrorKind::Throttled,
        advice: "throttled: AWS is throttling UpdateUserPoolClient\n  fix: wait a few seconds and run again\nWhat finished is saved.".into(),
    });
    insta::assert_snapshot!("saml_10_apply_failed", draw(&applying, 80, 24));

    let oidc_text = SETUP
        .replace("protocol = \"saml\"", "protocol = \"oidc\"")
        .replace("[saml]\nmetadata_url = \"https://login.microsoftonline.com/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/federationmetadata/2007-06/federationmetadata.xml?appid=3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c\"\nidp_initiated = true\n", "");
    for step in [Step::Provider, Step::EntraPortal, Step::BackFromEntra] {
        let m = model_at(step, &oidc_text);
        insta::assert_snapshot!(
            format!("oidc_{:02}_{step:?}", step.number()),
            draw(&m, 80, 24)
        );
    }

    let mut help = model_at(Step::EntraPortal, SETUP);
    let _ = update(&mut help, key(KeyCode::Char('?')));
    insta::assert_snapshot!("help_entra_portal", draw(&help, 80, 24));
}

#[test]
fn screens_at_120x40() {
    let mut welcome = Model::new(rows(), "https://login.microsoftonline.com");
    welcome.color = false;
    insta::assert_snapshot!("wide_welcome", draw(&welcome, 120, 40));
    insta::assert_snapshot!(
        "wide_entra_portal",
        draw(&model_at(Step::EntraPortal, SETUP), 120, 40)
    );
    insta::assert_snapshot!("wide_review", draw(&review_model(), 120, 40));
}

#[test]
fn keys_drive_the_journey() {
    // Welcome: the two new entries follow the saved setups.
    let mut m = Model::new(rows(), "https://login.microsoftonline.com");
    let _ = update(&mut m, key(KeyCode::Down));
    let _ = update(&mut m, key(KeyCode::Down));
    let _ = update(&mut m, key(KeyCode::Enter));
    assert_eq!(
        m.screen,
        Screen::Naming(cognito_entra::setup::Protocol::Saml)
    );
    // "corp-saml" is taken by a saved setup: the default moves on.
    assert_eq!(m.form.value("name"), "corp-saml-2");
    for c in "corp-saml".chars() {
        let _ = update(&mut m, key(KeyCode::Char(c)));
    }
    assert!(m.form.has_errors(), "a saved setup has this name");
    assert_eq!(update(&mut m, key(KeyCode::Enter)), Vec::<Cmd>::new());
    let _ = update(&mut m, ctrl('u'));
    let cmds = update(&mut m, key(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Cmd::Lock {
            name: "corp-saml-2".into(),
            protocol: Some(cognito_entra::setup::Protocol::Saml)
        }]
    );

    // Entra portal: keys copy the values in portal order; Space ticks; Enter moves on.
    let mut m = model_at(Step::EntraPortal, SETUP);
    let cmds = update(&mut m, key(KeyCode::Char('1')));
    assert_eq!(
        cmds,
        vec![Cmd::Copy {
            what: "Identifier".into(),
            value: "urn:amazon:cognito:sp:ap-northeast-1_Hk3Lm9QwE".into()
        }]
    );
    let cmds = update(&mut m, key(KeyCode::Char('3')));
    assert!(
        matches!(&cmds[0], Cmd::Copy { what, value } if what == "Relay State" && value.starts_with("identity_provider=AcmeEntra&client_id=3c7v9b1n5m2k8j4h6g0f1d2s5a"))
    );
    let _ = update(&mut m, key(KeyCode::Char(' ')));
    assert_eq!(
        m.state.as_ref().map(|s| s.progress.checklist.clone()),
        Some(vec!["saml.app".to_string()])
    );
    let cmds = update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.screen, Screen::Step(Step::BackFromEntra));
    assert_eq!(cmds, vec![Cmd::Save]);

    // Esc goes back without losing answers; q saves and quits; Ctrl-C interrupts.
    let _ = update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.screen, Screen::Step(Step::EntraPortal));
    let mut q = model_at(Step::EntraPortal, SETUP);
    assert_eq!(update(&mut q, key(KeyCode::Char('q'))), vec![Cmd::Save]);
    assert_eq!(q.exit, Some(super::app::Exit::Saved));
    let mut c = model_at(Step::Domain, SETUP);
    let _ = update(&mut c, ctrl('c'));
    assert_eq!(c.exit, Some(super::app::Exit::Interrupted));

    // In a text field, q is a letter.
    let mut typing = model_at(Step::AwsAccount, SETUP);
    let _ = update(&mut typing, key(KeyCode::Char('q')));
    assert_eq!(typing.exit, None);
    assert_eq!(typing.form.value("profile"), "q");

    // A bad region is refused inline, with the fix; a good one asks AWS.
    let mut aws = model_at(Step::AwsAccount, SETUP);
    let _ = update(&mut aws, key(KeyCode::Tab));
    for c in "us-east".chars() {
        let _ = update(&mut aws, key(KeyCode::Char(c)));
    }
    assert!(
        aws.form
            .get("region")
            .and_then(|f| f.error.clone())
            .is_some_and(|e| e.contains("us-east-1"))
    );
    assert!(update(&mut aws, key(KeyCode::Enter)).is_empty());
    let _ = update(&mut aws, key(KeyCode::Char('-')));
    let _ = update(&mut aws, key(KeyCode::Char('1')));
    assert_eq!(
        update(&mut aws, key(KeyCode::Enter)),
        vec![Cmd::Save, Cmd::LoadPools]
    );
    assert!(aws.busy.is_some());

    // The mapping refuses to go on while a required attribute is unmapped.
    let mut map = model_at(Step::AttributeMapping, SETUP);
    if let Some(state) = map.state.as_mut() {
        state.aws.required_attributes = Some(vec!["phone_number".into()]);
    }
    assert!(update(&mut map, key(KeyCode::Enter)).is_empty());
    assert!(map.message[0].contains("phone_number"));

    // An adopted client can be made Entra-only (IdP-initiated SAML needs it).
    let mut client = model_at(Step::AppClient, SETUP);
    assert!(client.form.get("only_entra").is_some_and(|f| !f.hidden));
    assert!(
        client.form.get("secret").is_some_and(|f| f.hidden),
        "a secret is chosen only at creation"
    );
    while client.form.focused().map(|f| f.key) != Some("only_entra") {
        let _ = update(&mut client, key(KeyCode::Tab));
    }
    let _ = update(&mut client, key(KeyCode::Char(' ')));
    let _ = update(&mut client, key(KeyCode::Enter));
    assert_eq!(
        client.setup().map(|s| s.app_client.remove_other_providers),
        Some(true)
    );
    assert_eq!(client.screen, Screen::Step(Step::Provider));

    // Paste goes into the focused field.
    let mut back = model_at(Step::BackFromEntra, SETUP);
    let _ = update(&mut back, ctrl('u'));
    let _ = update(&mut back, Msg::Paste("https://login.microsoftonline.com/x/federationmetadata/2007-06/federationmetadata.xml?appid=y\n".into()));
    assert_eq!(
        back.form.value("metadata"),
        "https://login.microsoftonline.com/x/federationmetadata/2007-06/federationmetadata.xml?appid=y"
    );
    let cmds = update(&mut back, key(KeyCode::Enter));
    assert!(matches!(&cmds[..], [Cmd::Save, Cmd::CheckMetadata { .. }]));
}

/// The domain step of a pool that has no domain yet: the prefix is typed, not kept.
fn new_domain_model() -> Model {
    let mut m = model_at(Step::Domain, SETUP);
    m.found.pool_domain = None;
    let _ = enter(&mut m, Step::Domain);
    m.busy = None;
    m
}

/// Ticks until the wizard asks for something (or gives up after `max`).
fn tick_until_cmd(m: &mut Model, max: usize) -> (usize, Vec<Cmd>) {
    for n in 1..=max {
        let cmds = update(m, Msg::Tick);
        if !cmds.is_empty() {
            return (n, cmds);
        }
    }
    (max, Vec::new())
}

fn domain_probed(prefix: &str, owner: Option<&str>) -> Msg {
    Msg::DomainProbed(prefix.into(), Ok(owner.map(str::to_string)))
}

fn prefix_note(m: &Model) -> Option<super::form::Note> {
    m.form.get("prefix").and_then(|f| f.note.clone())
}

#[test]
fn the_domain_prefix_is_checked_for_availability_once_typing_pauses() {
    use super::form::Note;
    let mut m = new_domain_model();
    // The prefix on arrival is checked after a short pause, once.
    let (ticks, cmds) = tick_until_cmd(&mut m, 20);
    assert_eq!(cmds, vec![Cmd::ProbeDomain("acme-login".into())]);
    assert!(
        ticks > 1,
        "a pause comes first, got the check at tick {ticks}"
    );
    assert!(matches!(prefix_note(&m), Some(Note::Checking(_))));
    assert_eq!(tick_until_cmd(&mut m, 20).1, Vec::<Cmd>::new());

    // Typing on restarts the pause; the check is for what is on screen now.
    let _ = update(&mut m, key(KeyCode::Char('2')));
    assert_eq!(
        prefix_note(&m),
        None,
        "the old answer is about another prefix"
    );
    let _ = update(&mut m, Msg::Tick);
    let _ = update(&mut m, key(KeyCode::Char('x')));
    let (_, cmds) = tick_until_cmd(&mut m, 20);
    assert_eq!(cmds, vec![Cmd::ProbeDomain("acme-login2x".into())]);

    // A late answer about an older prefix is ignored.
    let _ = update(&mut m, domain_probed("acme-login", None));
    assert!(matches!(prefix_note(&m), Some(Note::Checking(_))));

    // Taken by another pool: said under the field; Enter asks again (it may be a passing fault).
    let _ = update(
        &mut m,
        domain_probed("acme-login2x", Some("ap-northeast-1_Other")),
    );
    assert!(
        matches!(prefix_note(&m), Some(Note::Bad(t)) if t.contains("taken by another user pool")),
        "{:?}",
        prefix_note(&m)
    );
    assert_eq!(
        update(&mut m, key(KeyCode::Enter)),
        vec![Cmd::Save, Cmd::CheckDomain("acme-login2x".into())]
    );

    // A probe answer arriving while Enter's own check runs does not end the wait.
    let mut racing = new_domain_model();
    let _ = tick_until_cmd(&mut racing, 20);
    let cmds = update(&mut racing, key(KeyCode::Enter));
    assert_eq!(cmds, vec![Cmd::Save, Cmd::CheckDomain("acme-login".into())]);
    let _ = update(&mut racing, domain_probed("acme-login", None));
    assert!(racing.busy.is_some(), "still waiting for Enter's check");

    // Free: Enter moves on without asking again.
    let mut free = new_domain_model();
    let _ = tick_until_cmd(&mut free, 20);
    let _ = update(&mut free, domain_probed("acme-login", None));
    assert_eq!(
        prefix_note(&free),
        Some(Note::Good(
            "acme-login.auth.ap-northeast-1.amazoncognito.com is available".into()
        ))
    );
    let cmds = update(&mut free, key(KeyCode::Enter));
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::CheckDomain(_))),
        "{cmds:?}"
    );
    assert_eq!(free.screen, Screen::Step(Step::AppClient));

    // The pool's own domain counts as usable.
    let mut own = new_domain_model();
    let _ = tick_until_cmd(&mut own, 20);
    let _ = update(
        &mut own,
        domain_probed("acme-login", Some("ap-northeast-1_Hk3Lm9QwE")),
    );
    assert!(matches!(prefix_note(&own), Some(Note::Good(t)) if t.contains("already this pool's")));

    // A prefix that breaks the rules is never sent to AWS.
    let mut bad = new_domain_model();
    let _ = update(&mut bad, ctrl('u'));
    for c in "my-aws-login".chars() {
        let _ = update(&mut bad, key(KeyCode::Char(c)));
    }
    assert!(bad.form.has_errors());
    assert_eq!(tick_until_cmd(&mut bad, 20).1, Vec::<Cmd>::new());
}

#[test]
fn the_domain_step_shows_the_live_check() {
    let mut m = new_domain_model();
    let _ = tick_until_cmd(&mut m, 20);
    let _ = update(&mut m, domain_probed("acme-login", None));
    insta::assert_snapshot!("saml_04_domain_available", draw(&m, 80, 24));
}

#[test]
fn esc_on_the_first_step_returns_to_the_list_of_setups() {
    let mut m = model_at(Step::AwsAccount, SETUP);
    m.secret = Some("in memory only".into());
    assert_eq!(
        update(&mut m, key(KeyCode::Esc)),
        vec![Cmd::Save, Cmd::Release]
    );
    let mut listed = rows();
    listed.push(Row {
        name: "acme-portal".into(),
        protocol: Some(cognito_entra::setup::Protocol::Saml),
        progress: "step 2/12  AWS account".into(),
        when: "just now".into(),
    });
    let _ = update(&mut m, Msg::Rows(Ok(listed)));
    assert_eq!(m.screen, Screen::Welcome);
    assert!(m.state.is_none() && m.secret.is_none());
    assert_eq!(m.selected, 2, "the setup just left is selected");
    assert_eq!(
        m.found.profiles,
        vec!["acme-admin".to_string(), "default".into()]
    );
    assert_eq!(
        update(&mut m, key(KeyCode::Enter)),
        vec![Cmd::Lock {
            name: "acme-portal".into(),
            protocol: None
        }]
    );
}

#[test]
fn every_screen_draws_in_small_and_odd_terminals_without_panicking() {
    let mut models = vec![Model::new(rows(), "https://login.microsoftonline.com")];
    for step in Step::ALL {
        let mut m = model_at(step, SETUP);
        m.help = true;
        models.push(model_at(step, SETUP));
        models.push(m);
    }
    models.push(review_model());
    for m in &models {
        for (w, h) in [
            (1, 1),
            (10, 3),
            (30, 8),
            (45, 12),
            (60, 20),
            (79, 23),
            (250, 70),
        ] {
            let screen = draw(m, w, h);
            assert_eq!(screen.lines().count(), usize::from(h));
        }
    }
    // Too small to be useful: say so, with the two ways out.
    insta::assert_snapshot!(
        "too_small",
        draw(&model_at(Step::EntraPortal, SETUP), 50, 12)
    );
}

/// A response in Entra's layout for the SETUP above, without the email claim Cognito maps.
fn response_without_email() -> String {
    let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0" IssueInstant="2026-11-20T10:00:00Z" Destination="https://acme-login.auth.ap-northeast-1.amazoncognito.com/saml2/idpresponse" InResponseTo="_x1"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">https://sts.windows.net/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/</Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" IssueInstant="2026-11-20T10:00:00Z" Version="2.0"><Issuer>https://sts.windows.net/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/</Issuer><Subject><NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">k3Zp1Q8vW0yT5rX2uN7m</NameID></Subject><Conditions NotBefore="2026-11-20T09:55:00Z" NotOnOrAfter="2026-11-20T11:10:00Z"><AudienceRestriction><Audience>urn:amazon:cognito:sp:ap-northeast-1_Hk3Lm9QwE</Audience></AudienceRestriction></Conditions><AttributeStatement><Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"><AttributeValue>Ada</AttributeValue></Attribute></AttributeStatement></Assertion></samlp:Response>"#;
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(xml)
}

#[test]
fn the_test_step_checks_a_pasted_saml_response() {
    let mut m = model_at(Step::TestHandOver, SETUP);
    assert!(m.keys().iter().any(|(k, _)| *k == "s"));
    // The hand-over scrolls (it is longer than 24 rows); the check starts at its top.
    let _ = update(&mut m, key(KeyCode::Down));
    let _ = update(&mut m, key(KeyCode::Down));
    assert_eq!(m.scroll, 2);
    assert_eq!(update(&mut m, key(KeyCode::Char('s'))), Vec::<Cmd>::new());
    assert!(m.editing.is_some());
    assert_eq!(m.scroll, 0);
    // Enter with nothing pasted asks for it; q is a letter while pasting.
    assert_eq!(update(&mut m, key(KeyCode::Enter)), Vec::<Cmd>::new());
    assert!(
        m.editing
            .as_ref()
            .and_then(|e| e.fields[0].error.clone())
            .is_some_and(|e| e.contains("paste the SAMLResponse"))
    );
    let pasted = response_without_email();
    let _ = update(&mut m, Msg::Paste(format!("{pasted}\n")));
    insta::assert_snapshot!("saml_12_check_paste", draw(&m, 80, 24));
    assert_eq!(
        update(&mut m, key(KeyCode::Enter)),
        vec![Cmd::CheckSamlResponse(pasted.clone())]
    );
    assert!(m.busy.is_some() && m.editing.is_none());

    // What the runtime sends back: the core's own judgement, at a fixed clock.
    let now = time::macros::datetime!(2026-11-20 10:01 UTC);
    let setup = m.setup().cloned().unwrap_or_else(|| panic!("no setup"));
    let values = m.values().unwrap_or_else(|| panic!("no values"));
    let judged = cognito_entra::saml_response::read_and_judge(
        pasted.as_bytes(),
        now,
        Some(cognito_entra::saml_response::Against {
            setup: &setup,
            values: &values,
            required: None,
            tenant: None,
        }),
        &[],
    );
    let _ = update(
        &mut m,
        Msg::Task(super::app::TaskDone::SamlChecked(Box::new(judged))),
    );
    assert!(m.busy.is_none());
    insta::assert_snapshot!("saml_12_check_result", draw(&m, 80, 24));
    // Esc closes the check before it leaves the step.
    let _ = update(&mut m, key(KeyCode::Esc));
    assert!(m.saml_check.is_none());
    assert_eq!(m.screen, Screen::Step(Step::TestHandOver));

    // OIDC setups have no SAML response to check.
    let oidc = SETUP
        .replace("protocol = \"saml\"", "protocol = \"oidc\"")
        .replace("[saml]\nmetadata_url = \"https://login.microsoftonline.com/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/federationmetadata/2007-06/federationmetadata.xml?appid=3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c\"\nidp_initiated = true\n", "");
    let mut o = model_at(Step::TestHandOver, &oidc);
    let _ = update(&mut o, key(KeyCode::Char('s')));
    assert!(o.editing.is_none());
}

/// Esc leaves a slow read (here: planning) at once; its late answer moves nothing. Before, Esc
/// was swallowed while the wizard waited, and the admin was stuck on the screen.
#[test]
fn esc_leaves_a_slow_read_and_its_late_answer_moves_nothing() {
    let mut m = model_at(Step::AttributeMapping, SETUP);
    let cmds = update(&mut m, key(KeyCode::Enter));
    assert!(cmds.contains(&Cmd::Plan), "{cmds:?}");
    assert!(m.busy.is_some());
    let _ = update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.screen, Screen::Step(Step::AttributeMapping));
    assert!(m.busy.is_none());
    let late = cognito_entra::plan::Plan::default();
    let _ = update(&mut m, Msg::Task(super::app::TaskDone::Planned(Ok(late))));
    assert_eq!(m.screen, Screen::Step(Step::AttributeMapping));
    assert!(
        m.review.plan.is_none(),
        "the late plan is not shown anywhere"
    );

    // The Provider step reads and shows what it would create; Enter creates exactly that, and
    // the write is waited for (Esc does nothing then).
    let mut provider = model_at(Step::Provider, SETUP);
    let cmds = update(&mut provider, key(KeyCode::Enter));
    assert!(cmds.contains(&Cmd::PlanPrepare), "{cmds:?}");
    let setup = provider
        .setup()
        .cloned()
        .unwrap_or_else(|| panic!("no setup"));
    let to_create = plan::plan(
        &setup,
        &Observed::default(),
        &EntraInput::default(),
        Options {
            phase: plan::Phase::Prepare,
            ..Options::default()
        },
    )
    .unwrap_or_else(|r| panic!("{r:?}"));
    assert!(!to_create.changes.is_empty());
    let _ = update(
        &mut provider,
        Msg::Task(super::app::TaskDone::PreparePlanned(Ok(to_create.clone()))),
    );
    assert_eq!(provider.prepare_plan.as_ref(), Some(&to_create));
    let shown = draw(&provider, 80, 24);
    assert!(shown.contains("Create them now?"), "{shown}");
    assert!(shown.contains("+ "), "{shown}");
    let cmds = update(&mut provider, key(KeyCode::Enter));
    assert_eq!(cmds, vec![Cmd::Prepare(to_create)]);
    let _ = update(&mut provider, key(KeyCode::Esc));
    assert_eq!(provider.screen, Screen::Step(Step::Provider));
    assert!(provider.busy.is_some(), "creating is waited for");
}

/// Quitting keeps what was typed and passes the rules as typed: the tenant and client IDs
/// of a step whose check never ran are there on resume (they were lost before).
#[test]
fn quitting_keeps_the_typed_answers_of_the_step() {
    let oidc_text = SETUP
        .replace("protocol = \"saml\"", "protocol = \"oidc\"")
        .replace("[saml]\nmetadata_url = \"https://login.microsoftonline.com/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/federationmetadata/2007-06/federationmetadata.xml?appid=3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c\"\nidp_initiated = true\n", "");
    let mut m = model_at(Step::BackFromEntra, &oidc_text);
    for c in "8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b".chars() {
        let _ = update(&mut m, key(KeyCode::Char(c)));
    }
    let _ = update(&mut m, key(KeyCode::Tab));
    for c in "3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c".chars() {
        let _ = update(&mut m, key(KeyCode::Char(c)));
    }
    // Enter: the secret is missing, nothing is checked.
    let cmds = update(&mut m, key(KeyCode::Enter));
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::CheckTenant(_))),
        "{cmds:?}"
    );
    let cmds = update(&mut m, ctrl('q'));
    assert_eq!(cmds, vec![Cmd::Save]);
    let oidc = m.setup().map(|s| s.oidc()).unwrap_or_default();
    assert_eq!(
        oidc.tenant_id.as_deref(),
        Some("8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b")
    );
    assert_eq!(
        oidc.client_id.as_deref(),
        Some("3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c")
    );
    assert!(!m.done(Step::BackFromEntra), "kept, not confirmed");
}

/// Esc keeps what was typed on a step and not confirmed; an empty field is not wrong until
/// the step is confirmed.
#[test]
fn esc_keeps_what_was_typed_and_empty_fields_wait_for_enter() {
    let mut m = new_domain_model();
    let _ = update(&mut m, ctrl('u'));
    for c in "typed-prefix".chars() {
        let _ = update(&mut m, key(KeyCode::Char(c)));
    }
    let _ = update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.screen, Screen::Step(Step::UserPool));
    let _ = enter(&mut m, Step::Domain);
    assert_eq!(m.form.value("prefix"), "typed-prefix", "kept on Esc");

    // A new client's empty callback URLs: no ✗ until Enter.
    let mut client = model_at(Step::AppClient, SETUP);
    if let Some(f) = client.form.get_mut("client") {
        f.choice = 0;
    }
    if let Some(f) = client.form.get_mut("callback_urls") {
        f.text.clear();
    }
    let _ = update(&mut client, key(KeyCode::Tab));
    assert!(
        client
            .form
            .get("callback_urls")
            .is_some_and(|f| f.error.is_none()),
        "no error before Enter"
    );
    let _ = update(&mut client, key(KeyCode::Enter));
    assert!(
        client
            .form
            .get("callback_urls")
            .is_some_and(|f| f.error.is_some()),
        "the error on Enter"
    );
}

/// A first-time admin's setup (issue #20, item 18): longer names than SETUP's, so step 7's
/// three values take more rows at 80×24.
const LONG_SETUP: &str = r#"
name = "contoso-intranet"
protocol = "saml"
region = "ap-southeast-2"
[user_pool]
id = "ap-southeast-2_Zq8Rt4XyV"
[domain]
prefix = "contoso-intranet-signin"
[app_client]
id = "5k2j8h4g6f1d3s9a7p0o2i4u6y"
callback_urls = ["https://intranet.contoso.example/api/auth/callback/cognito"]
logout_urls = ["https://intranet.contoso.example/"]
scopes = ["openid", "email", "profile"]
[provider]
name = "ContosoEntra"
[saml]
metadata_url = "https://login.microsoftonline.com/8e4f0a2b-6c1d-4f3e-9a7b-2d5c8e1f4a6b/federationmetadata/2007-06/federationmetadata.xml?appid=3c7a9b1e-5d2f-4e8a-b6c0-1f2d3e4a5b6c"
idp_initiated = true
"#;

/// Step 7 at 80×24 with three long values still shows the start of its instructions, and
/// says where the rest is (before, the whole paragraph went and only "… ? shows every step"
/// was left).
#[test]
fn step_7_keeps_some_of_its_instructions_with_three_long_values() {
    let m = model_at(Step::EntraPortal, LONG_SETUP);
    let screen = draw(&m, 80, 24);
    assert!(screen.contains("Entra admin center"), "{screen}");
    assert!(screen.contains("F1 shows every step"), "{screen}");
    insta::assert_snapshot!("saml_07_long_values", screen);
}

/// The review's scroll stops at its last line: ↑ after scrolling "too far" moves at once.
#[test]
fn the_review_scroll_stops_at_its_end() {
    let mut m = review_model();
    let _ = update(&mut m, Msg::Resize(80, 24));
    for _ in 0..60 {
        let _ = update(&mut m, key(KeyCode::Down));
    }
    let at_end = draw(&m, 80, 24);
    assert!(at_end.contains("(end; ↑ scrolls back)"), "{at_end}");
    let _ = update(&mut m, key(KeyCode::Up));
    let after_up = draw(&m, 80, 24);
    assert_ne!(at_end, after_up, "↑ moves the plan at once");
    assert!(after_up.contains("↓ more below"), "{after_up}");

    // The hand-over too: its last row stays at the bottom, and ↑ moves at once.
    let mut m = model_at(Step::TestHandOver, SETUP);
    let _ = update(&mut m, Msg::Resize(80, 24));
    for _ in 0..60 {
        let _ = update(&mut m, key(KeyCode::Down));
    }
    let at_end = draw(&m, 80, 24);
    assert!(at_end.contains("Scopes"), "the last row in view:\n{at_end}");
    let _ = update(&mut m, key(KeyCode::Up));
    assert_ne!(at_end, draw(&m, 80, 24), "↑ moves the hand-over at once");
}

/// A field's error is where the focus goes: Enter on a new client without a callback URL
/// puts the cursor on Callback URLs, under which the problem is said.
#[test]
fn a_missing_callback_url_takes_the_focus_to_its_field() {
    let mut client = model_at(Step::AppClient, SETUP);
    if let Some(f) = client.form.get_mut("client") {
        f.choice = 0;
    }
    if let Some(f) = client.form.get_mut("callback_urls") {
        f.text.clear();
    }
    let _ = update(&mut client, key(KeyCode::Enter));
    assert_eq!(client.form.focused().map(|f| f.key), Some("callback_urls"));
    let screen = draw(&client, 80, 24);
    let lines: Vec<&str> = screen.lines().collect();
    let field = lines
        .iter()
        .position(|l| l.contains("▸ Callback URLs"))
        .unwrap_or_else(|| panic!("{screen}"));
    let error = lines
        .iter()
        .position(|l| l.contains("✗"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        error > field && error <= field + 4,
        "the error is right under its field:\n{screen}"
    );
}

/// The text of the pane right of the sidebar on each row (between the borders).
fn pane_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| {
            let chars: Vec<char> = l.chars().collect();
            (chars.len() > 21 && chars[20] == '│').then(|| {
                chars[21..chars.len().saturating_sub(1)]
                    .iter()
                    .collect::<String>()
            })
        })
        .collect()
}

/// Wrapped hints keep their indent, and a URL that fits on a row of its own is not broken.
#[test]
fn wrapped_hints_keep_their_indent_and_urls_stay_whole() {
    // The toggle's hint on the app client step wraps under itself, not at column 0.
    let mut client = model_at(Step::AppClient, SETUP);
    while client.form.focused().map(|f| f.key) != Some("scopes") {
        let _ = update(&mut client, key(KeyCode::Tab));
    }
    let screen = draw(&client, 80, 24);
    let rows = pane_rows(&screen);
    let hint = rows
        .iter()
        .position(|r| r.contains("add aws.cognito.signin.user.admin"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(rows[hint].starts_with("    "), "{screen}");
    assert!(
        rows[hint + 1].contains("(Amplify)") && rows[hint + 1].starts_with("    "),
        "the hint's second row is under its first:\n{screen}"
    );
    let toggle = rows
        .iter()
        .position(|r| r.contains("Only Entra on this client"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        rows[toggle + 1].starts_with("    ") && !rows[toggle + 1].trim().is_empty(),
        "the toggle's hint continues indented:\n{screen}"
    );
    // Step 12: the sign-in URL is not split at column 0 of the pane; the domain is whole.
    let m = model_at(Step::TestHandOver, SETUP);
    let screen = draw(&m, 80, 24);
    for row in pane_rows(&screen) {
        if !row.trim().is_empty() {
            assert!(
                row.starts_with(' ')
                    || row.starts_with('!')
                    || row.starts_with(|c: char| c.is_ascii_digit()),
                "a row at column 0:\n{screen}"
            );
        }
    }
    assert!(
        screen.contains("acme-login.auth.ap-northeast-1.amazoncognito.com"),
        "{screen}"
    );
}

/// One set of keys: F1 help and Ctrl-Q quit are shown on every screen; Esc where it works;
/// the copy range names the values there are.
#[test]
fn the_key_bar_is_the_same_on_every_screen() {
    let mut models = vec![Model::new(rows(), "https://login.microsoftonline.com")];
    for step in Step::ALL {
        if step != Step::Protocol {
            models.push(model_at(step, SETUP));
        }
    }
    models.push(review_model());
    for m in &models {
        let keys = m.keys();
        assert!(keys.contains(&("F1", "help")), "{:?}: {keys:?}", m.screen);
        assert!(
            keys.iter().any(|(k, _)| *k == "Ctrl-Q"),
            "{:?}: {keys:?}",
            m.screen
        );
        assert!(
            !keys.iter().any(|(k, _)| *k == "q" || *k == "?"),
            "{:?}: {keys:?}",
            m.screen
        );
    }
    let handover = model_at(Step::TestHandOver, SETUP);
    assert!(handover.keys().contains(&("Esc", "back")));
    // Two values (SP-initiated SAML): "1-2 copy"; and 3 copies nothing.
    let two = SETUP.replace("idp_initiated = true", "idp_initiated = false");
    let mut portal = model_at(Step::EntraPortal, &two);
    assert!(
        portal.keys().contains(&("1-2", "copy")),
        "{:?}",
        portal.keys()
    );
    assert!(update(&mut portal, key(KeyCode::Char('3'))).is_empty());
    // ? and q still work where no field takes typing.
    let mut q = model_at(Step::EntraPortal, SETUP);
    let _ = update(&mut q, key(KeyCode::Char('?')));
    assert!(q.help);
    let _ = update(&mut q, key(KeyCode::F(1)));
    assert!(!q.help, "F1 closes the help it opened");
}

/// A toast belongs to the screen it was raised on: a copy's notice on step 12 is gone on the
/// SAML check that s opens.
#[test]
fn a_toast_goes_with_its_screen() {
    let mut m = model_at(Step::TestHandOver, SETUP);
    let _ = update(&mut m, Msg::Copied("✓ Copied Sign-in URL".into()));
    assert!(draw(&m, 80, 24).contains("Copied Sign-in URL"));
    let _ = update(&mut m, key(KeyCode::Char('s')));
    let screen = draw(&m, 80, 24);
    assert!(!screen.contains("Copied Sign-in URL"), "{screen}");
    // A notice raised by the move itself is about the new screen, and stays.
    let mut review = review_model();
    let _ = update(&mut review, key(KeyCode::Enter));
    let _ = update(
        &mut review,
        Msg::Task(super::app::TaskDone::Applied(Ok(Vec::new()))),
    );
    assert_eq!(review.screen, Screen::Step(Step::FinishInEntra));
    assert!(review.notice.is_some());
}

/// A wait on Entra is shown on the busy line, after the work's own words, and replaced by
/// the next one; the work's answer then ends the wait as before.
#[test]
fn a_wait_on_entra_is_shown_on_the_busy_line() {
    let mut m = model_at(Step::EntraPortal, SETUP);
    m.busy = Some("Making the Entra application through Microsoft Graph…".into());
    let waiting = |text: &str| Msg::Task(super::app::TaskDone::Waiting(text.into()));
    let cmds = update(
        &mut m,
        waiting("waiting 5 s for Entra to replicate the new application (0 s of 5 min)"),
    );
    assert!(cmds.is_empty());
    assert_eq!(
        m.busy.as_deref(),
        Some(
            "Making the Entra application through Microsoft Graph… — waiting 5 s for Entra to replicate the new application (0 s of 5 min)"
        )
    );
    let _ = update(
        &mut m,
        waiting("waiting 5 s for Entra to replicate the new application (5 s of 5 min)"),
    );
    let busy = m.busy.clone().unwrap_or_default();
    assert!(
        busy.ends_with("(5 s of 5 min)") && busy.matches(" — ").count() == 1,
        "{busy}"
    );
    // Nothing waited for: nothing shown.
    m.busy = None;
    let _ = update(&mut m, waiting("waiting 5 s for Entra"));
    assert!(m.busy.is_none());
}

/// `d` on a setup whose lock cannot be taken (another run holds it) leaves nothing of the
/// destroy behind: Enter on a setup afterwards resumes it (it opened the destroy screen).
#[test]
fn a_destroy_that_could_not_lock_does_not_turn_the_next_resume_into_a_destroy() {
    let mut m = Model::new(rows(), "https://login.microsoftonline.com");
    let cmds = update(&mut m, key(KeyCode::Char('d')));
    assert!(matches!(cmds.as_slice(), [Cmd::Lock { .. }]), "{cmds:?}");
    let _ = update(
        &mut m,
        Msg::Locked(Err("corp-saml is open in another run".into())),
    );
    assert_eq!(m.screen, Screen::Welcome);
    let cmds = update(&mut m, key(KeyCode::Enter));
    assert!(matches!(cmds.as_slice(), [Cmd::Lock { .. }]), "{cmds:?}");
    let setup = load::parse(
        b"name = \"corp-saml\"\nprotocol = \"saml\"\nregion = \"eu-west-1\"\n",
        "x",
    )
    .unwrap_or_else(|p| panic!("{p:?}"));
    let _ = update(&mut m, Msg::Locked(Ok(Box::new(State::new(setup)))));
    assert!(
        matches!(m.screen, Screen::Step(_)),
        "resumed, not destroyed: {:?}",
        m.screen
    );
}
