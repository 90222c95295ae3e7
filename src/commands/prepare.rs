//! What `plan` and `apply` share: check the setup, check what Entra serves and read the live
//! account (at once), and compute the plan.

use std::io::IsTerminal;

use cognito_entra::cognito::sdk::{AwsOptions, SdkCognito};
use cognito_entra::engine::{Job, PlanError, Planned, plan_live};
use cognito_entra::entra::input::Checked;
use cognito_entra::entra::{Finding, Level};
use cognito_entra::plan::{Options, Plan, Refusal};
use cognito_entra::setup::Stage;

use super::graph::EntraGiven;
use super::source::{Resolved, resolve_for};
use super::{Context, Failure, print_warnings};
use crate::cli::Source;
use cognito_entra::setup::model::EntraMode;

pub struct Prepared {
    pub resolved: Resolved,
    /// What was planned with (the secret typed, if any, in memory only): a re-read before
    /// applying plans with the same.
    pub job: Job,
    pub options: Options,
    pub api: SdkCognito,
    pub plan: Plan,
    pub entra: Checked,
    pub aws: AwsOptions,
    /// The pool and client that exist now (adopted or left by an earlier run).
    pub pool_id: Option<String>,
    pub client_id: Option<String>,
    /// The pool's required attributes; none for a pool this run creates.
    pub required_attributes: Vec<String>,
}

impl Prepared {
    /// Takes a plan made again (after a question): its plan, its account reader, its IDs.
    pub fn take(&mut self, now: Planned) {
        self.plan = now.plan;
        self.api = now.api;
        self.pool_id = now.ids.user_pool_id;
        self.client_id = now.ids.client_id;
    }
}

fn refusals_failure(source: &str, refusals: &[Refusal], done: &[String]) -> Failure {
    let mut text = format!(
        "{source}: cannot plan; {}:\n",
        what_changed(done, "nothing was changed")
    );
    for r in refusals {
        text.push_str(&format!("{r}\n"));
    }
    Failure::Failed(text)
}

/// `nothing` ("nothing was changed"), or what this run changed before it stopped (both
/// clouds).
fn what_changed(done: &[String], nothing: &str) -> String {
    if done.is_empty() {
        nothing.into()
    } else {
        format!(
            "this run changed, before stopping: {} — nothing else was changed",
            done.join("; ")
        )
    }
}

fn print_findings(findings: &[Finding]) {
    for f in findings.iter().filter(|f| f.level != Level::Error) {
        let label = if f.level == Level::Warning {
            "warning"
        } else {
            "note"
        };
        errln!("{label}: {}", f.message);
    }
}

pub async fn prepare(
    ctx: &Context,
    source: &Source,
    remove_other_providers: bool,
    may_prompt: bool,
    entra: Option<EntraMode>,
    given: Option<&EntraGiven>,
) -> Result<Prepared, Failure> {
    let resolved = resolve_for(ctx, source, Stage::Apply, entra)?;
    print_warnings(&resolved.warnings);
    let setup = &resolved.setup;
    if let Some(region) = ctx.global.region.as_deref().filter(|r| *r != setup.region) {
        return Err(Failure::Usage(format!(
            "error: --region {region} disagrees with the setup's region {:?}\n  fix: drop --region (the setup decides), or change region in the setup",
            setup.region
        )));
    }
    let mut job = super::source::job_for(ctx, &resolved);
    // What the Entra side gave through Graph goes where the admin's answers would.
    if let Some(given) = given {
        cognito_entra::entra_graph::give_to_cognito(
            &mut job.setup,
            &resolved.context.global.authority,
            &given.tenant,
            &given.app_id,
        );
        job.secret = given.secret.clone();
    }
    let options = Options {
        remove_other_providers,
        ..Options::default()
    };
    let mut result = plan_live(&job, options).await;
    // A new OIDC provider needs the secret: ask for it (hidden) when a person is there.
    if result.as_ref().err().is_some_and(PlanError::wants_secret)
        && may_prompt
        && std::io::stdin().is_terminal()
    {
        let secret = rpassword::prompt_password(
            "Client secret Value from Entra (Certificates & secrets; typing is hidden): ",
        )
        .map_err(|e| Failure::Failed(format!("error: cannot read the secret: {e}")))?;
        if !secret.trim().is_empty() {
            job.secret = Some(secret.trim().to_string());
            result = plan_live(&job, options).await;
        }
    }
    let planned = match result {
        Ok(p) => p,
        Err(PlanError::Entra(u)) => {
            let done = given.map(|g| g.done.as_slice()).unwrap_or_default();
            let mut text = format!(
                "{} is not usable; {}:\n",
                u.what,
                what_changed(done, "nothing was changed in AWS")
            );
            for f in u.findings.iter().filter(|f| f.level == Level::Error) {
                text.push_str(&format!("error: {}\n", f.message));
            }
            return Err(Failure::Failed(text));
        }
        Err(PlanError::Refused(r)) => {
            let done = given.map(|g| g.done.as_slice()).unwrap_or_default();
            return Err(refusals_failure(&setup.name, &r, done));
        }
        Err(e) => return Err(Failure::Failed(format!("error: {}", e.text(&job.aws)))),
    };
    print_findings(&planned.entra.findings);
    Ok(Prepared {
        job: job.clone(),
        options,
        pool_id: planned.ids.user_pool_id.clone(),
        client_id: planned.ids.client_id.clone(),
        required_attributes: planned.required_attributes.unwrap_or_default(),
        resolved,
        api: planned.api,
        plan: planned.plan,
        entra: planned.entra,
        aws: job.aws,
    })
}
