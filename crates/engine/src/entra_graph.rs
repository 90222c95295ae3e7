//! The Entra side done by the tool through Microsoft Graph, as a phase of the one journey:
//! sign in, plan the application from the setup's values (the same values the portal
//! screens hand the admin), make it, and give Cognito what Entra gives back — the app's
//! metadata URL (SAML), or its tenant, client ID and a new secret (OIDC).

use crate::engine::{Error, Job, api};
use crate::entra_app::{self, CognitoCertificate, Desired, EntraChange, Seen};
use crate::setup::derive::derive;
use crate::setup::{Protocol, Setup};
use crate::state::GraphRecord;
use cognito_entra_cognito::api::CognitoApi;
use cognito_entra_entra::graph::apps::{self, FindError, Outcome};
use cognito_entra_entra::graph::signin::{self, SignInPrompt};
use cognito_entra_entra::graph::{Graph, GraphError};

/// How to reach Entra for Graph.
#[derive(Debug, Clone)]
pub struct GraphOptions {
    pub authority: String,
    pub graph_url: String,
    pub client_id: String,
    /// How the admin (or pipeline) signs in.
    pub sign_in: SignInMethod,
    /// The cloud the tenant is in: the scopes' resource and the non-gallery template.
    pub cloud: crate::cloud::Cloud,
    /// What the setup needs beyond applications (assignments, a claims policy): the
    /// sign-in asks for those permissions too.
    pub needs: signin::Needs,
    /// `--entra-tenant` / COGNITO_ENTRA_TENANT: the tenant Graph must work in, over the
    /// setup's `[entra] tenant`.
    pub tenant: Option<String>,
}

/// How to sign in to Entra for Graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMethod {
    /// The device code, entered in any browser.
    DeviceCode,
    /// The authorization code with PKCE through a browser on this machine (a loopback
    /// redirect): for tenants that block the device code.
    Browser,
    /// The Azure CLI's token (`az login` first).
    AzureCli,
    /// The pipeline application's credentials in the AZURE_* variables: an app-only token.
    Environment,
}

/// Where a sign-in goes: the tenant required (flag, else the setup's `[entra] tenant`), else
/// the one recorded by an earlier run as a hint, else wherever the account belongs.
#[derive(Debug, Clone, Default)]
pub struct TenantChoice {
    pub required: Option<String>,
    pub hint: Option<String>,
}

impl TenantChoice {
    pub fn for_setup(options: &GraphOptions, setup: &Setup, hint: Option<&str>) -> TenantChoice {
        TenantChoice {
            required: options
                .tenant
                .clone()
                .or_else(|| setup.entra.tenant.clone()),
            hint: hint.map(str::to_string),
        }
    }
}

/// The permissions beyond applications a setup's Entra side needs.
pub fn needs(setup: &Setup) -> signin::Needs {
    signin::Needs {
        assign: !setup.entra.assign.is_empty(),
        claims: !crate::journey::graph_claims(setup).0.is_empty(),
    }
}

/// Signs in (the device code or the browser's address shown through `show`, the Azure CLI's
/// token, or a pipeline's application) to the tenant the setup requires, else the one
/// recorded, else the admin's own. A token for another tenant than the one required stops
/// here, before anything is read or written in Entra.
pub async fn sign_in(
    options: &GraphOptions,
    tenant: &TenantChoice,
    show: impl FnOnce(SignInPrompt<'_>),
) -> Result<Graph, Error> {
    let http = cognito_entra_entra::graph::http_client().map_err(Error::Local)?;
    let delegated = signin::Delegated {
        http: &http,
        authority: &options.authority,
        tenant: sign_in_tenant(tenant),
        client_id: &options.client_id,
        cloud: options.cloud,
        needs: options.needs,
    };
    let token = match options.sign_in {
        SignInMethod::AzureCli => signin::azure_cli(tenant.required.as_deref()).await,
        SignInMethod::Environment => match cognito_entra_entra::graph::pipeline::from_environment() {
            Some(credentials) => {
                cognito_entra_entra::graph::pipeline::sign_in(
                    &http,
                    &options.authority,
                    options.cloud,
                    &credentials,
                )
                .await
            }
            None => Err(signin::SignInError::Refused {
                error: "environment".into(),
                description: "--entra-sign-in environment needs AZURE_TENANT_ID, AZURE_CLIENT_ID and one of AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE; set them (a pipeline's application, docs/permissions.md) or choose another --entra-sign-in".into(),
            }),
        },
        SignInMethod::DeviceCode => {
            signin::device_code(&delegated, |code| show(SignInPrompt::DeviceCode(code))).await
        }
        SignInMethod::Browser => {
            cognito_entra_entra::graph::browser::browser(
                &delegated,
                cognito_entra_entra::graph::browser::IDLE_LIMIT,
                |page| show(SignInPrompt::Browser(page)),
            )
            .await
        }
    }
    .map_err(|e| Error::Entra(format!("signing in to Entra: {e}")))?;
    if let Some(required) = &tenant.required {
        held_to_tenant(options, required, token.tenant.as_deref()).await?;
    }
    granted_enough(options, &token)?;
    Ok(Graph::new(http, &options.graph_url, token, options.cloud))
}

/// The tenant a delegated sign-in goes to: the one required, else the one recorded, else
/// whichever the account belongs to.
fn sign_in_tenant(tenant: &TenantChoice) -> &str {
    tenant
        .required
        .as_deref()
        .or(tenant.hint.as_deref())
        .unwrap_or("organizations")
}

/// The permissions the token was granted against those the setup needs, before anything is
/// read or written: what is missing is named, with who can grant it.
fn granted_enough(options: &GraphOptions, token: &signin::Token) -> Result<(), Error> {
    let Some(granted) = &token.granted else {
        return Ok(());
    };
    let missing = signin::missing(options.needs, granted);
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(", ");
    let fix = if token.app_only {
        format!(
            "an administrator grants the application (AZURE_CLIENT_ID) the application permissions {list} of Microsoft Graph and consents for the organization (App registrations › the app › API permissions; docs/permissions.md)"
        )
    } else if options.sign_in == SignInMethod::AzureCli {
        format!(
            "the Azure CLI's token carries the Azure CLI's own fixed set of permissions, and {list} is not in it: sign in with --entra-sign-in device-code instead (docs/permissions.md)"
        )
    } else {
        format!(
            "sign in as an administrator who may consent for the organization and accept {list} when asked, or use a dedicated client that holds them (--entra-client-id; docs/permissions.md)"
        )
    };
    Err(Error::Refused(format!(
        "the sign-in was not granted {list}, which this setup needs (granted: {}); nothing was read or changed in Entra\n  fix: {fix}",
        if granted.is_empty() {
            "nothing".to_string()
        } else {
            granted.join(" ")
        }
    )))
}

/// The token's tenant against the one required: a GUID is compared as it is; a verified
/// domain is first read as its tenant's GUID from the tenant's OIDC discovery document.
async fn held_to_tenant(
    options: &GraphOptions,
    required: &str,
    signed_in: Option<&str>,
) -> Result<(), Error> {
    let required = required.trim();
    let wanted = if crate::setup::validate::is_guid(required) {
        required.to_ascii_lowercase()
    } else {
        let fetcher = cognito_entra_entra::fetch::Fetcher::new(
            cognito_entra_entra::fetch::Limits::from_env(),
        )
        .map_err(|e| Error::Local(e.to_string()))?;
        let report =
            cognito_entra_entra::discovery::check_tenant(&fetcher, &options.authority, required)
                .await;
        match report.discovery {
            Some(d) => d.tenant_id.to_ascii_lowercase(),
            None => {
                return Err(Error::Refused(format!(
                    "the tenant {required:?} ([entra] tenant or --entra-tenant) could not be read: {}; nothing was changed\n  fix: give the tenant's GUID (Entra › Overview › Tenant ID) or one of its verified domains",
                    report
                        .findings
                        .iter()
                        .map(|f| f.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                )));
            }
        }
    };
    match signed_in.map(str::to_ascii_lowercase) {
        Some(got) if got == wanted => Ok(()),
        got => Err(Error::Refused(format!(
            "the sign-in is for tenant {}, but the setup works in tenant {required}{}; nothing was read or changed in Entra\n  fix: sign in with an account of {required} (a guest account works: the sign-in goes to that tenant), or with the Azure CLI run `az login --tenant {required}`; if {required} is not the tenant meant, correct tenant under [entra] (or --entra-tenant / COGNITO_ENTRA_TENANT)",
            got.as_deref().unwrap_or("(not said)"),
            if wanted == required.to_ascii_lowercase() {
                String::new()
            } else {
                format!(" ({wanted})")
            }
        ))),
    }
}

/// What the application must hold for this setup, from the values Cognito gives (pending
/// ones named as such until the pool exists).
pub fn desired(setup: &Setup, job: &Job, needs_secret: bool) -> Desired {
    let values = derive(setup, &job.known, &job.authority);
    let pending = |what: &str| format!("({what}: after the user pool is created)");
    let saml = setup.saml();
    let (claims, groups) = crate::journey::graph_claims(setup);
    Desired {
        protocol: setup.protocol,
        display_name: setup
            .entra
            .display_name
            .clone()
            .unwrap_or_else(|| setup.name.clone()),
        app_id: setup.entra.app_id.clone(),
        identifier: Some(
            values
                .entity_id
                .clone()
                .unwrap_or_else(|| pending("Identifier")),
        ),
        reply_url: match setup.protocol {
            Protocol::Saml => values.reply_url.clone(),
            Protocol::Oidc => values.redirect_uri.clone(),
        }
        .unwrap_or_else(|| pending("Reply URL")),
        logout_url: values.logout_url.clone().filter(|_| saml.idp_signout),
        relay_state: values.relay_state.clone().filter(|_| saml.idp_initiated),
        needs_secret,
        assign: setup.entra.assign.clone(),
        id_token_claims: crate::journey::needed_id_token_claims(setup),
        verification_certificate: needed(
            setup.protocol == Protocol::Saml && (saml.sign_requests || saml.idp_signout),
        ),
        require_signed_requests: setup.protocol == Protocol::Saml && saml.sign_requests,
        encryption_certificate: needed(
            setup.protocol == Protocol::Saml && saml.encrypted_responses,
        ),
        saml_claims: claims,
        group_claims: groups,
        // From the record, in `replan`.
        unclaimed_secrets: Vec::new(),
        held_secret: None,
        apps_of_other_setups: job
            .others
            .iter()
            .filter_map(|o| Some((o.graph_app_id.clone()?, o.name.clone())))
            .collect(),
        notify: setup.entra.notify.clone(),
    }
}

fn needed(yes: bool) -> CognitoCertificate {
    if yes {
        CognitoCertificate::Pending
    } else {
        CognitoCertificate::NotNeeded
    }
}

/// Cognito's certificates that Entra needs, read from Cognito where they exist already: the
/// pool's signing certificate, the provider's encryption certificate. One Cognito has not
/// made yet stays pending.
async fn cognito_certificates(
    desired: &mut Desired,
    job: &Job,
    pool_id: Option<&str>,
) -> Result<(), Error> {
    let Some(pool_id) = pool_id else {
        return Ok(());
    };
    let wanted = |c: &CognitoCertificate| *c != CognitoCertificate::NotNeeded;
    if !wanted(&desired.verification_certificate) && !wanted(&desired.encryption_certificate) {
        return Ok(());
    }
    let cognito = api(job).await?;
    let unreadable = |what: &str, e: String| {
        Error::Refused(format!(
            "Cognito's {what} {e}\n  fix: run again; if it stays so, hand it to Entra in the portal (`cognito-entra values` writes it to a file)"
        ))
    };
    if wanted(&desired.verification_certificate) {
        match cognito.get_signing_certificate(pool_id).await {
            Ok(text) => {
                desired.verification_certificate = CognitoCertificate::from_cognito(&text)
                    .map_err(|e| unreadable("signing certificate", e))?;
            }
            Err(e) if e.kind == cognito_entra_cognito::api::ErrorKind::NotFound => {}
            Err(e) => return Err(job_error(job, &e)),
        }
    }
    if wanted(&desired.encryption_certificate) {
        let provider = cognito
            .describe_identity_provider(pool_id, job.setup.provider_name())
            .await
            .map_err(|e| job_error(job, &e))?;
        if let Some(text) = provider
            .as_ref()
            .and_then(|p| p.details.get("ActiveEncryptionCertificate"))
        {
            desired.encryption_certificate = CognitoCertificate::from_cognito(text)
                .map_err(|e| unreadable("encryption certificate", e))?;
        }
    }
    Ok(())
}

fn find_error(e: FindError) -> Error {
    match e {
        FindError::Graph(g) => graph_error(g),
        FindError::Refused { problem, fix } => Error::Refused(format!("{problem}\n  fix: {fix}")),
    }
}

pub fn graph_error(e: GraphError) -> Error {
    Error::Entra(e.to_string())
}

/// What the setup's application holds now (reads only).
pub async fn observe(
    graph: &Graph,
    desired: &Desired,
    recorded: Option<&GraphRecord>,
) -> Result<Seen, Error> {
    apps::observe(graph, desired, recorded)
        .await
        .map_err(find_error)
}

/// The Entra side planned: what the application holds now, and the changes.
pub async fn plan(
    graph: &Graph,
    desired: &Desired,
    recorded: Option<&GraphRecord>,
) -> Result<(Seen, Vec<EntraChange>), Error> {
    let seen = apps::observe(graph, desired, recorded)
        .await
        .map_err(find_error)?;
    let changes = entra_app::plan(desired, &seen)
        .map_err(|r| Error::Refused(format!("{}\n  fix: {}", r.problem, r.fix)))?;
    Ok((seen, changes))
}

/// The Entra side applied; `made` records each object the moment it exists.
pub async fn apply(
    graph: &Graph,
    desired: &Desired,
    seen: &Seen,
    changes: &[EntraChange],
    made: impl FnMut(&GraphRecord),
) -> Result<Outcome, Error> {
    apps::apply(graph, desired, seen, changes, made)
        .await
        .map_err(graph_error)
}

/// Deletes an application (and with it its service principal); one already gone is fine.
/// The tool's claims-mapping policy of that name goes too, once nothing uses it.
pub async fn remove_application(
    graph: &Graph,
    application_id: &str,
    claims_policy: Option<&str>,
) -> Result<(), Error> {
    // A record of a create whose answer never came holds no application ID: nothing to
    // delete by ID.
    if application_id.is_empty() {
        return Ok(());
    }
    match graph
        .delete(
            &format!("/applications/{application_id}"),
            "remove the Entra application",
        )
        .await
    {
        Ok(_) | Err(GraphError::NotFound { .. }) => {}
        Err(e) => return Err(graph_error(e)),
    }
    if let Some(name) = claims_policy {
        apps::remove_claims_policy(graph, name)
            .await
            .map_err(graph_error)?;
    }
    Ok(())
}

/// Whether Cognito's provider lacks a client secret (so Graph must make one): a provider
/// that does not exist yet lacks one.
pub async fn provider_needs_secret(job: &Job, pool_id: Option<&str>) -> Result<bool, Error> {
    let Some(pool_id) = pool_id else {
        return Ok(true);
    };
    let cognito = api(job).await?;
    let provider = cognito
        .describe_identity_provider(pool_id, job.setup.provider_name())
        .await
        .map_err(|e| job_error(job, &e))?;
    Ok(provider.is_none_or(|p| !p.details.contains_key("client_secret")))
}

fn job_error(job: &Job, e: &cognito_entra_cognito::api::ApiError) -> Error {
    Error::Aws {
        kind: e.kind.clone(),
        advice: crate::engine::say(e, &job.aws),
    }
}

/// A signed-in Graph session with the Entra side planned: shown to the admin, then made
/// exactly (`make`). The token stays inside; Debug never shows it.
#[derive(Clone)]
pub struct Session {
    graph: std::sync::Arc<Graph>,
    /// What the sign-in was granted beyond applications.
    granted: signin::Needs,
    pub tenant: String,
    pub desired: Desired,
    pub seen: Seen,
    pub changes: Vec<EntraChange>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("tenant", &self.tenant)
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Session {
    fn eq(&self, other: &Session) -> bool {
        self.tenant == other.tenant
            && self.desired == other.desired
            && self.seen == other.seen
            && self.changes == other.changes
    }
}

impl Session {
    pub fn round_trips(&self) -> (usize, usize) {
        self.graph.round_trips()
    }
}

/// What the Entra side gave. Its Debug never shows the secret.
#[derive(Clone)]
pub struct Made {
    pub record: GraphRecord,
    pub tenant: String,
    /// How many changes were made (none: Entra held it already).
    pub changes_made: usize,
    /// A new client secret (OIDC) and its end date; memory only.
    pub secret: Option<(String, String)>,
    /// The session, when changes wait for certificates Cognito makes later (`finish`
    /// makes them after Cognito's side).
    pub waiting: Option<Box<Session>>,
}

impl std::fmt::Debug for Made {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Made")
            .field("record", &self.record)
            .field("tenant", &self.tenant)
            .field("changes_made", &self.changes_made)
            .field("secret", &self.secret.as_ref().map(|_| "(hidden)"))
            .field("waiting", &self.waiting.is_some())
            .finish()
    }
}

/// Signs in and plans the Entra side for `job`'s setup as the account stands (its pool,
/// domain and client made already, or pending).
pub async fn sign_in_and_plan(
    options: &GraphOptions,
    job: &Job,
    recorded: Option<&GraphRecord>,
    tenant_hint: Option<&str>,
    show: impl FnOnce(SignInPrompt<'_>),
) -> Result<Session, Error> {
    let options = GraphOptions {
        needs: needs(&job.setup),
        ..options.clone()
    };
    let tenant = TenantChoice::for_setup(&options, &job.setup, tenant_hint);
    let graph = sign_in(&options, &tenant, show).await?;
    let tenant = graph.tenant().ok_or_else(|| {
        Error::Entra("the sign-in did not say which tenant it is: sign in with a work or school account of the tenant (not a personal Microsoft account)".into())
    })?;
    let session = Session {
        graph: std::sync::Arc::new(graph),
        granted: options.needs,
        tenant,
        desired: desired(&job.setup, job, false),
        seen: Seen::default(),
        changes: Vec::new(),
    };
    replan(session, job, recorded).await
}

/// The sign-in of `kept` planned again for `job`, without a new sign-in, while it is good for
/// it: granted what `job` needs, and the token lasting a few minutes yet. `None`: sign in
/// again (a face keeps one sign-in for its whole run this way).
pub async fn plan_signed_in(
    kept: &Session,
    job: &Job,
    recorded: Option<&GraphRecord>,
) -> Option<Result<Session, Error>> {
    let wanted = needs(&job.setup);
    let granted = kept.granted;
    let covers = (granted.assign || !wanted.assign) && (granted.claims || !wanted.claims);
    let lasts =
        kept.graph.expires() > std::time::Instant::now() + std::time::Duration::from_secs(5 * 60);
    if !covers || !lasts {
        return None;
    }
    Some(replan(kept.clone(), job, recorded).await)
}

/// The session planned again for `job` as it stands now (a pool made since has its ID).
pub async fn replan(
    mut session: Session,
    job: &Job,
    recorded: Option<&GraphRecord>,
) -> Result<Session, Error> {
    let needs_secret = job.setup.protocol == Protocol::Oidc
        && provider_needs_secret(
            job,
            job.known
                .user_pool_id
                .as_deref()
                .or(job.setup.user_pool.id.as_deref()),
        )
        .await?;
    session.desired = desired(&job.setup, job, needs_secret);
    // The secrets this tool made before: the one Cognito holds, and any it never got.
    if let Some(r) = recorded {
        session.desired.unclaimed_secrets = r.unclaimed_secrets.clone();
        session.desired.held_secret = r.held_secret.clone();
    }
    let pool_id = job
        .known
        .user_pool_id
        .as_deref()
        .or(job.setup.user_pool.id.as_deref());
    cognito_certificates(&mut session.desired, job, pool_id).await?;
    let (seen, changes) = plan(&session.graph, &session.desired, recorded).await?;
    session.seen = seen;
    session.changes = changes;
    Ok(session)
}

/// The reviewed changes made now: those before the first that waits for a certificate
/// Cognito has not made yet (the rest are made by `finish`, after Cognito's side).
fn made_now(changes: &[EntraChange]) -> usize {
    changes
        .iter()
        .position(EntraChange::waits_for_cognito)
        .unwrap_or(changes.len())
}

/// Makes exactly the reviewed changes: Entra is read again first, and when it would need
/// other changes now, nothing is written. `made` records each object the moment it exists.
/// Changes that need a certificate Cognito has not made yet are left for `finish`.
pub async fn make(
    reviewed: &Session,
    job: &Job,
    recorded: Option<&GraphRecord>,
    made: impl FnMut(&GraphRecord),
) -> Result<Made, Error> {
    let now = replan(reviewed.clone(), job, recorded).await?;
    if now.changes != reviewed.changes {
        return Err(Error::Refused(format!(
            "Entra changed since the plan was shown; nothing was written. It would now:\n{}",
            now.changes
                .iter()
                .map(|c| format!("  {}", c.describe()))
                .collect::<Vec<_>>()
                .join("\n")
        )));
    }
    let now_count = made_now(&now.changes);
    let outcome = apply(
        &now.graph,
        &now.desired,
        &now.seen,
        &now.changes[..now_count],
        made,
    )
    .await?;
    let mut record = outcome.record;
    // Made by this setup stays so when a later run finds it (by its IDs or its name).
    // So does one an earlier run asked for and lost the answer to, found by this run.
    record.created |= recorded.is_some_and(|r| {
        (r.created && r.app_id == record.app_id)
            || (r.application_id.is_empty() && r.creating.is_some())
    });
    Ok(Made {
        record,
        tenant: now.tenant.clone(),
        changes_made: now_count,
        secret: outcome.secret,
        // What is left: the changes from the first that waits for Cognito on.
        waiting: (now_count < now.changes.len()).then(|| {
            let mut left = now.clone();
            left.changes.drain(..now_count);
            Box::new(left)
        }),
    })
}

/// Cognito's certificates as Entra holds them (`rotate`): the changes that hand Entra the
/// signing certificate the pool signs with now and the encryption certificate the provider
/// decrypts with now, where the setup needs them, and nothing else of the application (what
/// else differs is `apply`'s to show). Reads only.
pub async fn certificate_hand_over(
    graph: &Graph,
    job: &Job,
    recorded: &GraphRecord,
) -> Result<(Desired, Seen, Vec<EntraChange>), Error> {
    let mut desired = desired(&job.setup, job, false);
    let pool_id = job
        .known
        .user_pool_id
        .as_deref()
        .or(job.setup.user_pool.id.as_deref());
    cognito_certificates(&mut desired, job, pool_id).await?;
    let (seen, changes) = plan(graph, &desired, Some(recorded)).await?;
    let changes = changes
        .into_iter()
        .filter(|c| c.is_certificate() && !c.waits_for_cognito())
        .collect();
    Ok((desired, seen, changes))
}

/// After Cognito's side: the certificates Cognito has made since (its signing certificate
/// with a new pool, its encryption certificate with the provider) handed to Entra, as the
/// plan showed them waiting. Entra and Cognito are read again; anything else Entra would
/// need now is refused, not made. Returns the changes made.
pub async fn finish(
    reviewed: &Session,
    job: &Job,
    recorded: Option<&GraphRecord>,
) -> Result<Vec<EntraChange>, Error> {
    let now = replan(reviewed.clone(), job, recorded).await?;
    if let Some(other) = now.changes.iter().find(|c| !c.is_certificate()) {
        return Err(Error::Refused(format!(
            "Entra changed since the plan was shown; its certificates were not handed over. It would now also:\n  {}\n  fix: run apply again to review it",
            other.describe()
        )));
    }
    if let Some(still) = now.changes.iter().find(|c| c.waits_for_cognito()) {
        return Err(Error::Refused(format!(
            "Cognito has not made the certificate yet for: {}\n  fix: run apply again in a minute",
            still.describe()
        )));
    }
    apply(&now.graph, &now.desired, &now.seen, &now.changes, |_| {}).await?;
    Ok(now.changes)
}

/// Takes out of the setup what `give_to_cognito` put in, so that Graph gives it anew (a
/// setup whose application Graph made, planned through Graph again).
pub fn take_back_from_cognito(setup: &mut Setup) {
    if let Some(saml) = setup.saml.as_mut() {
        saml.metadata_url = None;
        saml.metadata_file = None;
    }
    if let Some(oidc) = setup.oidc.as_mut() {
        oidc.tenant_id = None;
        oidc.client_id = None;
    }
}

/// The setup as Cognito sees it once Graph made its application: what the application gave
/// (recorded in the state) fills the answers it replaces, where the setup says nothing. A
/// copy for reading (values, export); never saved, since in graph mode the answers leave
/// those values to Graph.
pub fn with_what_graph_gave(setup: &Setup, known: &crate::setup::Known, authority: &str) -> Setup {
    let mut out = setup.clone();
    let Some(app) = &known.graph_app else {
        return out;
    };
    let says_nothing = match setup.protocol {
        Protocol::Saml => {
            let s = setup.saml();
            s.metadata_url.is_none() && s.metadata_file.is_none()
        }
        Protocol::Oidc => {
            let o = setup.oidc();
            o.tenant_id.is_none() && o.client_id.is_none()
        }
    };
    if says_nothing {
        give_to_cognito(&mut out, authority, &app.tenant, &app.app_id);
    }
    out
}

/// Puts what Entra gave into the setup Cognito is planned from: the app's metadata URL
/// (SAML), or its tenant and client ID (OIDC).
pub fn give_to_cognito(setup: &mut Setup, authority: &str, tenant: &str, app_id: &str) {
    match setup.protocol {
        Protocol::Saml => {
            let mut saml = setup.saml();
            saml.metadata_url = Some(entra_app::metadata_url(authority, tenant, app_id));
            saml.metadata_file = None;
            setup.saml = Some(saml);
        }
        Protocol::Oidc => {
            let mut oidc = setup.oidc();
            oidc.tenant_id = Some(tenant.to_string());
            oidc.client_id = Some(app_id.to_string());
            setup.oidc = Some(oidc);
        }
    }
}
