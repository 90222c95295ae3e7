//! `cognito-entra wizard --plain`: the same journey as line prompts (inquire), for screen
//! readers, logs and simple terminals. It walks the core's steps, checks answers with the
//! core's rules, calls the same engine, and saves the same state after every step.

use std::io::IsTerminal;

use inquire::error::InquireError;
use inquire::validator::Validation;
use inquire::{Confirm, MultiSelect, Password, PasswordDisplayMode, Select, Text};

use cognito_entra::clipboard::Clipboard;
use cognito_entra::engine::{self, Job};
use cognito_entra::entra::graph::SignInPrompt;
use cognito_entra::entra::{Fact, Finding};
use cognito_entra::journey::questions::{
    self, Answers, Found, Given, Input, Question, Work, commit, commit_mapping, mapping_problem,
    mapping_questions, mapping_rows, mapping_unfinished, problem_on_confirm, setup_name_problem,
    setup_name_question, shown, work_before,
};
use cognito_entra::journey::{
    ChecklistItem, MULTI_TENANT, Step, entra_checklist, finish_checklist, next_step, portal_values,
    progress_label, protocol_summary,
};
use cognito_entra::results;
use cognito_entra::setup::{Protocol, derive};
use cognito_entra::state::{SetupLock, State, StateStore};

use crate::commands::{CommandResult, Context, EXIT_INTERRUPTED, EXIT_OK, Failure};

/// Why the prompts stopped.
mod kit_walk;
pub use kit_walk::kit_walk;

enum Stop {
    /// Esc: saved, resume later.
    Saved,
    /// Ctrl-C.
    Interrupted,
    Failed(String),
}

impl From<InquireError> for Stop {
    fn from(e: InquireError) -> Self {
        match e {
            InquireError::OperationCanceled => Stop::Saved,
            InquireError::OperationInterrupted => Stop::Interrupted,
            other => Stop::Failed(format!("error: cannot prompt: {other}")),
        }
    }
}

type Flow<T> = Result<T, Stop>;

struct Session {
    given: cognito_entra::resolve::Given,
    authority: String,
    lock: SetupLock,
    state: State,
    runtime: tokio::runtime::Runtime,
    secret: Option<String>,
    /// The secret above is the one Graph made (handing it to Cognito claims it).
    secret_from_graph: bool,
    clipboard: Clipboard,
    /// What the questions offer: profiles, pools, clients, the pool's domain.
    found: Found,
    /// The state folder (certificates go in the setup's folder in it).
    state_dir: std::path::PathBuf,
    /// How to reach Entra for Graph ("do it for me").
    graph: cognito_entra::entra_graph::GraphOptions,
    /// Entra changes waiting for certificates Cognito makes when its side is applied.
    entra_waiting: Option<Box<cognito_entra::entra_graph::Session>>,
    /// The Graph sign-in of this run, kept for every later "do it for me" (memory only).
    signed_in: Option<Box<cognito_entra::entra_graph::Session>>,
}

fn validator<F>(check: F) -> impl Fn(&str) -> Result<Validation, inquire::CustomUserError> + Clone
where
    F: Fn(&str) -> Option<String> + Clone,
{
    move |input: &str| {
        Ok(check(input.trim()).map_or(Validation::Valid, |e| Validation::Invalid(e.into())))
    }
}

/// Asks a step's questions in order, as the journey defines them; each answer is checked by
/// the journey's rule for it before the next question.
fn ask(step: Step, questions: &[Question]) -> Flow<Given> {
    let mut given = Given::from_questions(questions);
    for q in questions {
        if !shown(step, q.key, &given) {
            continue;
        }
        let label = format!("{}:", q.label);
        // The journey's rule for this answer, with the answers given so far.
        let check = {
            let snapshot = given.clone();
            let (key, required) = (q.key, q.required.clone());
            validator(move |v: &str| {
                let mut answers = snapshot.clone();
                answers.set_text(key, v);
                problem_on_confirm(step, key, required.as_deref(), &answers)
            })
        };
        let help = hint(&q.hint);
        match &q.input {
            Input::Shown => outln!("{label} {} ({})", q.text, q.hint),
            Input::Text => {
                let mut prompt = Text::new(&label)
                    .with_help_message(&help)
                    .with_validator(check);
                // The saved answer (else the fixed default) is what Enter keeps: a prompt
                // has no way to clear pre-typed text but one Backspace at a time.
                if !q.initial_text().is_empty() {
                    prompt = prompt.with_default(q.initial_text());
                }
                let answer = prompt.prompt()?;
                given.set_text(q.key, &answer);
            }
            // A secret already in memory (typed earlier, or made by Graph): Enter keeps it,
            // as the wizard's pre-filled, masked field does.
            Input::Secret if !q.text.is_empty() => {
                let answer = Password::new(&label)
                    .with_help_message(&help)
                    .without_confirmation()
                    .with_display_mode(PasswordDisplayMode::Masked)
                    .prompt()?;
                given.set_text(q.key, if answer.is_empty() { &q.text } else { &answer });
            }
            Input::Secret => {
                let answer = Password::new(&label)
                    .with_help_message(&help)
                    .without_confirmation()
                    .with_display_mode(PasswordDisplayMode::Masked)
                    .with_validator(check)
                    .prompt()?;
                given.set_text(q.key, &answer);
            }
            Input::Toggle => {
                let answer = Confirm::new(&format!("{}?", q.label))
                    .with_help_message(&help)
                    .with_default(q.on)
                    .prompt()?;
                given.set_on(q.key, answer);
            }
            Input::Choice(options) => {
                let answer = Select::new(&label, options.clone())
                    .with_help_message(&help)
                    .with_starting_cursor(q.choice)
                    .raw_prompt()?;
                given.set_choice(q.key, answer.index);
            }
        }
    }
    Ok(given)
}

/// A question's hint as inquire shows it (`[hint]` under the prompt), wrapped to the terminal
/// so that its rows continue under its text, not at column 0, and a URL is not split mid-word.
fn hint(text: &str) -> String {
    let width = ratatui::crossterm::terminal::size().map_or(80, |(columns, _)| columns as usize);
    hint_rows(text, width)
}

fn hint_rows(text: &str, width: usize) -> String {
    // inquire writes "[" before the hint and "]" after it: a column each.
    let rows = cognito_entra::wrap::hanging(text, width.saturating_sub(1), "[", " ");
    let joined = rows.join("\n");
    joined.strip_prefix('[').unwrap_or(&joined).to_string()
}

fn print_findings(findings: &[Finding]) {
    for f in findings {
        outln!("  {} {}", f.level.mark(), f.message);
    }
}

fn print_facts(facts: &[Fact]) {
    for fact in facts {
        outln!("  {} {} {}", fact.mark(), fact.label, fact.value);
    }
}

pub fn run(ctx: &Context, setup: Option<&str>) -> CommandResult {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Failed(
            "error: the prompts need a terminal to read answers from\n  fix: in scripts, describe the setup in a file and run `cognito-entra apply --config FILE`".into(),
        ));
    }
    let store = ctx.store()?;
    let (lock, state) = match choose(ctx, &store, setup) {
        Ok(v) => v,
        Err(Stop::Saved) => return Ok(EXIT_OK),
        Err(Stop::Interrupted) => return Ok(EXIT_INTERRUPTED),
        Err(Stop::Failed(m)) => return Err(Failure::Failed(m)),
    };
    // The setup's own `[entra] cloud` is laid over the flags for its work.
    let ctx = &ctx.for_setup(&state.answers);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("error: cannot start the async runtime: {e}")))?;
    let mut s = Session {
        given: ctx.given(),
        authority: ctx.global.authority.clone(),
        lock,
        state,
        runtime,
        secret: None,
        secret_from_graph: false,
        clipboard: Clipboard::new(ctx.clipboard_mode(), true),
        found: engine::found(&ctx.given()),
        state_dir: store.dir().to_path_buf(),
        graph: ctx.graph_options(),
        entra_waiting: None,
        signed_in: None,
    };
    let outcome = s.journey();
    let _ = s.lock.save(&mut s.state);
    let name = s.state.answers.name.clone();
    match outcome {
        Ok(()) if s.state.imported.is_some() => {
            outln!(
                "\nSetup {name} was imported: Cognito holds what it says, and its Entra side was made by hand before the import."
            );
            outln!(
                "`cognito-entra values --setup {name}` shows the values again; `cognito-entra doctor --setup {name}` checks it."
            );
            Ok(EXIT_OK)
        }
        Ok(()) => {
            match cognito_entra::journey::unticked_text(&s.state) {
                Some(open) => outln!(
                    "\nSetup {name} is applied. {open} Run `cognito-entra wizard --plain --setup {name}` to tick them once done."
                ),
                None => outln!("\nSetup {name} is complete."),
            }
            outln!("`cognito-entra values --setup {name}` shows the values again.");
            Ok(EXIT_OK)
        }
        Err(Stop::Saved) => {
            outln!(
                "\nSaved — run `cognito-entra wizard --plain --setup {name}` to resume it where you left off."
            );
            Ok(EXIT_OK)
        }
        Err(Stop::Interrupted) => {
            outln!("\nStopped; answers so far are saved.");
            Ok(EXIT_INTERRUPTED)
        }
        Err(Stop::Failed(m)) => Err(Failure::Failed(m)),
    }
}

/// Picks a saved setup to resume, names a new one, or imports the account's federations
/// first (then asks again); takes its lock.
fn choose(ctx: &Context, store: &StateStore, setup: Option<&str>) -> Flow<(SetupLock, State)> {
    let name_and_protocol = match setup {
        Some(name) => (name.to_string(), None),
        None => loop {
            let saved = store
                .list()
                .map_err(|e| Stop::Failed(format!("error: {e}")))?;
            let mut options: Vec<String> = saved
                .iter()
                .filter_map(|s| {
                    let state = s.state.as_ref().ok()?;
                    Some(format!(
                        "Resume {} ({}, {})",
                        s.name,
                        state.answers.protocol.label(),
                        progress_label(state)
                    ))
                })
                .collect();
            let resumable: Vec<String> = saved
                .iter()
                .filter(|s| s.state.is_ok())
                .map(|s| s.name.clone())
                .collect();
            for protocol in [Protocol::Saml, Protocol::Oidc] {
                options.push(format!(
                    "New {} setup ({})",
                    protocol.label(),
                    protocol_summary(protocol)
                ));
            }
            if !resumable.is_empty() {
                options.push(ROTATE_CHOICE.to_string());
            }
            options.push(IMPORT_CHOICE.to_string());
            let choice = Select::new(
                "Federate a Cognito user pool with Entra ID:",
                options.clone(),
            )
            .with_help_message(&hint(MULTI_TENANT))
            .raw_prompt()?;
            if choice.index == options.len() - 1 {
                import_from_account(ctx, store)?;
                continue;
            }
            if !resumable.is_empty() && choice.index == options.len() - 2 {
                rotate_a_setup(ctx, &resumable)?;
                continue;
            }
            if choice.index < resumable.len() {
                break (resumable[choice.index].clone(), None);
            } else {
                let protocol = if choice.index == resumable.len() {
                    Protocol::Saml
                } else {
                    Protocol::Oidc
                };
                let q = setup_name_question(protocol, &resumable);
                let taken = resumable.clone();
                let name = Text::new(&format!("{}:", q.label))
                    .with_default(&q.default)
                    .with_help_message(&hint(&q.hint))
                    .with_validator(validator(move |v: &str| setup_name_problem(v, &taken)))
                    .prompt()?;
                break (name.trim().to_string(), Some(protocol));
            }
        },
    };
    let (name, protocol) = name_and_protocol;
    let (lock, state) = store
        .open(&name, protocol)
        .map_err(|e| Stop::Failed(format!("error: {e}")))?;
    Ok((lock, state))
}

/// A pool as the import names it: its name and ID, or its ID alone.
fn pool_words(name: &str, id: &str) -> String {
    if name.is_empty() {
        id.to_string()
    } else {
        format!("{name} ({id})")
    }
}

const ROTATE_CHOICE: &str =
    "Renew a setup's client secret or signing certificate (rotate, without a gap in sign-in)";

/// The plain face of a rotation: the plan and each step printed, the one question and a
/// typed secret asked here, the sign-in shown as the commands show it.
struct PlainFace;

impl cognito_entra::run::Face for PlainFace {
    fn sign_in(&self, prompt: SignInPrompt<'_>) {
        crate::commands::graph::show_sign_in(prompt);
    }

    fn show(&mut self, text: &str) {
        out!("{text}");
    }

    fn note(&mut self, text: &str) {
        outln!("{text}");
    }

    fn confirm(&mut self, question: &str, nothing: &str) -> Result<(), String> {
        match Confirm::new(question).with_default(false).prompt() {
            Ok(true) => Ok(()),
            Ok(false) | Err(_) => Err(nothing.to_string()),
        }
    }

    fn secret(&mut self) -> Result<Option<String>, String> {
        Password::new("Client secret Value from Entra (typing is hidden):")
            .with_display_mode(PasswordDisplayMode::Hidden)
            .without_confirmation()
            .prompt()
            .map(Some)
            .map_err(|e| format!("cannot read the secret: {e}"))
    }
}

/// Picks a saved setup and renews its credential through the engine's rotation; back to the
/// list after, whatever happened (what it did and where it stopped is said).
fn rotate_a_setup(ctx: &Context, saved: &[String]) -> Flow<()> {
    let name = match Select::new("Rotate which setup?", saved.to_vec()).prompt() {
        Ok(name) => name,
        Err(InquireError::OperationCanceled) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let store = ctx.store().map_err(|e| Stop::Failed(e.to_string()))?;
    let run = match crate::commands::rotate::run_for(ctx, &name, None) {
        Ok((run, warnings)) => {
            for w in warnings {
                outln!("{w}");
            }
            run
        }
        Err(e) => {
            outln!("{e}");
            return Ok(());
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Stop::Failed(format!("error: cannot start the async runtime: {e}")))?;
    let flags = cognito_entra::rotate::Flags {
        yes: false,
        dry_run: false,
        remove_old: false,
        secret_expires: None,
    };
    match runtime.block_on(cognito_entra::rotate::rotate(
        run,
        &store,
        flags,
        &mut PlainFace,
    )) {
        Ok(rotated) if rotated.steps > 0 => {
            outln!("Rotated: {} step(s) done and recorded.", rotated.steps)
        }
        Ok(_) => {}
        Err(stopped) => outln!("{stopped}"),
    }
    Ok(())
}

const IMPORT_CHOICE: &str =
    "Import from the account (Entra federations made by hand in the consoles)";

/// Reads the account for Entra federations (the flags' region and profile), shows each with
/// its verdict, and saves the ones the admin keeps ticked.
fn import_from_account(ctx: &Context, store: &StateStore) -> Flow<()> {
    use cognito_entra::import::{Scope, import, save_all};
    let scope = Scope::new(&ctx.given(), &[], None, &ctx.global.authority);
    outln!(
        "Reading every user pool in {} (nothing is changed)…",
        scope.region_names().join(", ")
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Stop::Failed(format!("error: cannot start the async runtime: {e}")))?;
    let (mut report, candidates) = match runtime.block_on(import(&scope, store)) {
        Ok(found) => found,
        Err(e) => {
            outln!("Could not read the account: {e}");
            return Ok(());
        }
    };
    for row in report.rows.iter().filter(|r| r.outcome != "would import") {
        outln!(
            "  {} in {} ({}): {}{}",
            row.provider,
            pool_words(&row.pool_name, &row.pool_id),
            row.protocol,
            row.outcome,
            row.setup
                .as_deref()
                .map(|s| format!(" as {s}"))
                .unwrap_or_default()
        );
    }
    if candidates.is_empty() {
        outln!(
            "No Entra federation to import in {} pool(s) ({} other provider(s) left alone).",
            report.pools,
            report.other_providers
        );
        return Ok(());
    }
    let labels: Vec<String> = candidates
        .iter()
        .map(|c| {
            format!(
                "{} in {} ({}, tenant {}) — {} → setup {}",
                c.row.provider,
                pool_words(&c.row.pool_name, &c.row.pool_id),
                c.row.protocol,
                c.row.tenant,
                c.row.verdict,
                c.found.setup.name
            )
        })
        .collect();
    let all: Vec<usize> = (0..labels.len()).collect();
    let picked = match MultiSelect::new(
        "Import these as saved setups (Space unticks, Enter saves the ticked ones, Esc saves none):",
        labels,
    )
    .with_default(&all)
    .raw_prompt()
    {
        Ok(picked) => picked,
        // Esc: nothing saved, back to the list (Ctrl-C still ends the wizard).
        Err(InquireError::OperationCanceled) => {
            outln!("Nothing was saved.");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let chosen: Vec<_> = picked
        .iter()
        .filter_map(|p| candidates.get(p.index).cloned())
        .collect();
    if chosen.is_empty() {
        outln!("Nothing was saved.");
        return Ok(());
    }
    if let Err(e) = save_all(store, &mut report, &chosen) {
        outln!("{e}");
        return Ok(());
    }
    outln!(
        "Saved {} setup(s), each recorded as adopted (nothing in AWS or Entra was changed): {}.",
        chosen.len(),
        chosen
            .iter()
            .map(|c| c.found.setup.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

impl Session {
    fn job(&self) -> Job {
        let mut job = Job::from_state(
            &self.state,
            &self.given,
            &self.authority,
            self.secret.clone(),
        );
        // Certificates go beside the setup's state, shown by their full path.
        job.out_dir = self.state_dir.join(&self.state.answers.name);
        job.others =
            cognito_entra::state::StateStore::new(&self.state_dir).others(&self.state.answers.name);
        job
    }

    fn done(&mut self, step: Step) -> Flow<()> {
        self.state.mark_done(&[step]);
        self.lock
            .save(&mut self.state)
            .map_err(|e| Stop::Failed(format!("error: {e}")))
    }

    /// A setup handed to its customer's Entra admin: their reply, pasted, checked against the
    /// kit as typed and against Entra (the engine) before it is recorded; asked again until
    /// Entra takes it or the admin leaves (Esc: saved, as it was).
    fn customer_reply(&mut self) -> Flow<()> {
        use cognito_entra::journey::customer_reply;
        let Some(handoff) = customer_reply::waiting(&self.state).cloned() else {
            return Ok(());
        };
        let kit = handoff.kit.clone();
        outln!(
            "\n== The customer's reply\n{}",
            customer_reply::intro(&self.state.answers.name, &handoff)
        );
        loop {
            let reply = kit_walk::ask_reply(&kit, cognito_entra::kit::Who::SaasAdmin)?;
            let name = self.state.answers.name.clone();
            let store = StateStore::new(self.state_dir.clone());
            outln!("Checking their answer against Entra…");
            let checked = self.runtime.block_on(cognito_entra::handoff::check_reply(
                &store,
                &name,
                &reply,
                &self.authority,
            ));
            match checked {
                Ok(accepted) => {
                    customer_reply::record(&mut self.state, &accepted.given);
                    self.lock
                        .save(&mut self.state)
                        .map_err(|e| Stop::Failed(format!("error: {e}")))?;
                    outln!(
                        "✓ Their answer is recorded (tenant {}); review and apply make the provider.",
                        accepted.given.tenant()
                    );
                    for note in &accepted.notes {
                        outln!("{note}");
                    }
                    return Ok(());
                }
                Err(stopped) => {
                    outln!("{stopped}");
                    outln!("Paste their values again (Esc leaves; the setup keeps waiting).");
                }
            }
        }
    }

    fn journey(&mut self) -> Flow<()> {
        self.customer_reply()?;
        let finished_before = next_step(&self.state.progress.steps_done).is_none();
        while let Some(step) = next_step(&self.state.progress.steps_done) {
            let protocol = self.state.answers.protocol;
            outln!(
                "\n== {}/{} · {}",
                step.number(),
                Step::ALL.len(),
                step.title(protocol)
            );
            match step {
                Step::Protocol => {}
                Step::AwsAccount
                | Step::UserPool
                | Step::Domain
                | Step::AppClient
                | Step::Provider => self.questions(step)?,
                Step::EntraPortal => self.entra_portal()?,
                Step::BackFromEntra => self.back_from_entra()?,
                Step::AttributeMapping => self.mapping()?,
                Step::ReviewApply => self.review()?,
                Step::FinishInEntra => self.finish()?,
                Step::TestHandOver => self.hand_over()?,
            }
            self.done(step)?;
        }
        // A finished setup with portal work left unticked: its lists, to tick once done (a
        // resumed run of plain mode is where that happens, as the closing line says).
        let setup = self.state.answers.clone();
        let left = if finished_before {
            cognito_entra::journey::unticked(&self.state)
        } else {
            Vec::new()
        };
        for (step, _) in left {
            let items = match step {
                Step::EntraPortal => entra_checklist(&setup),
                Step::FinishInEntra => finish_checklist(&setup),
                _ => continue,
            };
            outln!(
                "\n== {}/{} · {} (left unticked)",
                step.number(),
                Step::ALL.len(),
                step.title(setup.protocol)
            );
            self.tick(&items)?;
            self.lock
                .save(&mut self.state)
                .map_err(|e| Stop::Failed(format!("error: {e}")))?;
        }
        Ok(())
    }

    /// A step of questions: what it needs read first, its questions, their answers into the
    /// state, then its work; a failed check says why and asks again.
    fn questions(&mut self, step: Step) -> Flow<()> {
        let intro = step.intro(self.state.answers.protocol);
        if !intro.is_empty() {
            outln!("{intro}");
        }
        loop {
            if let Some(work) = work_before(step, &self.state, &self.found) {
                self.run(work).map_err(|e| Stop::Failed(e.to_string()))?;
            }
            let asked =
                questions::questions(step, &self.state, &self.found, self.secret.as_deref());
            let given = ask(step, &asked)?;
            let work = commit(
                step,
                &given,
                &mut self.found,
                &mut self.state,
                &mut self.secret,
            );
            let done = if work == Work::Prepare {
                self.prepare()?
            } else {
                self.run(work)
            };
            match done {
                Ok(()) => return Ok(()),
                Err(why) => outln!("✗ {why}"),
            }
        }
    }

    /// Does a step's work and records what it found; an error is the advice to show.
    fn run(&mut self, work: Work) -> Result<(), engine::Error> {
        if work == Work::Done {
            return Ok(());
        }
        outln!("{}", work.busy_text());
        let job = self.job();
        match work {
            Work::Done => Ok(()),
            Work::ListPools => {
                let pools = self.runtime.block_on(engine::list_pools(&job))?;
                results::pools_listed(&mut self.found, pools);
                results::pools_in_use(&mut self.found, &StateStore::new(self.state_dir.clone()));
                Ok(())
            }
            Work::ReadPool(id) => {
                let read = self.runtime.block_on(engine::read_pool(&job, &id))?;
                results::pool_read(&mut self.state, &mut self.found, read);
                Ok(())
            }
            Work::CheckDomain(prefix) => {
                let owner = self.runtime.block_on(engine::domain_owner(&job, &prefix));
                let (usable, said) = results::domain_verdict(
                    &prefix,
                    &self.state.answers.region,
                    self.state.pool_id(),
                    owner.as_ref().map(Option::as_deref),
                );
                match owner {
                    Err(e) => Err(e),
                    Ok(_) if usable => {
                        outln!("  ✓ {said}");
                        Ok(())
                    }
                    Ok(_) => Err(engine::Error::Refused(said)),
                }
            }
            // Asked and run by `prepare` (it shows what is created and asks first).
            Work::Prepare => Ok(()),
            Work::CheckMetadata(source) => {
                let report = self.runtime.block_on(engine::check_metadata(
                    &source,
                    &job.authority,
                    &job.base_dir,
                ));
                let checked = results::metadata_checked(
                    &mut self.state,
                    &report,
                    time::OffsetDateTime::now_utc(),
                );
                self.entra_checked(checked)
            }
            Work::CheckTenant(tenant) => {
                let report = self
                    .runtime
                    .block_on(engine::check_tenant(&tenant, &job.authority));
                let checked = results::tenant_checked(&mut self.state, &report);
                self.entra_checked(checked)
            }
        }
    }

    /// The Provider step's work: what is created now is shown, and created once confirmed
    /// (exactly that; if the account changed meanwhile, the new list is shown and asked).
    fn prepare(&mut self) -> Flow<Result<(), engine::Error>> {
        outln!("Reading what already exists in Cognito…");
        let job = self.job();
        let mut plan = match self.runtime.block_on(engine::prepare_plan(&job)) {
            Ok(plan) => plan,
            Err(e) => return Ok(Err(e)),
        };
        loop {
            if !plan.changes.is_empty() {
                outln!(
                    "{}",
                    cognito_entra::journey::prepare_why(self.state.answers.protocol)
                );
                for change in &plan.changes {
                    outln!("  + {}", change.describe());
                }
                if !Confirm::new(cognito_entra::journey::PREPARE_ASK)
                    .with_default(true)
                    .prompt()?
                {
                    return Ok(Err(engine::Error::Refused(
                        "nothing was created; change the answers, or confirm to create".into(),
                    )));
                }
            }
            // Said once asked (before, it read as if creating had begun).
            outln!("{}", Work::Prepare.busy_text());
            match self.runtime.block_on(engine::prepare_reviewed(&job, &plan)) {
                Ok(prepared) => {
                    results::prepared(&mut self.state, &prepared);
                    for change in &plan.changes {
                        outln!("  ✓ {}", change.describe());
                    }
                    return Ok(Ok(()));
                }
                Err(engine::NotApplied::Stale(now)) => {
                    outln!(
                        "! The account changed since you confirmed: nothing was created. This is what would be created now:"
                    );
                    plan = now;
                }
                Err(engine::NotApplied::Failed(e)) => return Ok(Err(e)),
            }
        }
    }

    fn entra_checked(&self, checked: results::EntraChecked) -> Result<(), engine::Error> {
        print_findings(&checked.findings);
        print_facts(&checked.facts);
        if checked.usable {
            Ok(())
        } else {
            Err(engine::Error::Entra(
                "not usable yet: fix what is marked ✗ in Entra, then answer again".into(),
            ))
        }
    }

    fn tick(&mut self, items: &[ChecklistItem]) -> Flow<()> {
        let labels: Vec<&str> = items.iter().map(|i| i.label).collect();
        let ticked: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| self.state.progress.checklist.iter().any(|c| c == i.id))
            .map(|(n, _)| n)
            .collect();
        let chosen = MultiSelect::new("Done in Entra (Space ticks, Enter goes on):", labels)
            .with_default(&ticked)
            .raw_prompt()?;
        for item in items {
            self.state.progress.checklist.retain(|c| c != item.id);
        }
        for c in chosen {
            self.state
                .progress
                .checklist
                .push(items[c.index].id.to_string());
        }
        Ok(())
    }

    fn entra_portal(&mut self) -> Flow<()> {
        let setup = self.state.answers.clone();
        outln!(
            "{}",
            cognito_entra::journey::plain_text(
                &cognito_entra::journey::instructions_now(Step::EntraPortal, &self.state)
                    .unwrap_or_default()
            )
        );
        // A Graph run declined or failed asks again (the sign-in is kept for the next one).
        while cognito_entra::journey::graph_offered(&self.state) {
            let ways: Vec<&str> = cognito_entra::journey::ENTRA_WAYS.to_vec();
            if Select::new(cognito_entra::journey::ENTRA_WAYS_ASK, ways)
                .raw_prompt()?
                .index
                != 1
            {
                break;
            }
            match self.entra_by_graph() {
                Err(Stop::Failed(why)) => outln!("✗ {why}"),
                other => return other,
            }
        }
        let values = derive(&setup, &self.state.known(), &self.authority);
        let portal = portal_values(&setup, &values);
        for pv in &portal {
            outln!(
                "\n{}:\n  {}",
                pv.entra_field,
                pv.value.as_deref().unwrap_or("(pending)")
            );
        }
        // The cursor stays on the value just copied: the next one is one step down.
        let mut cursor = 0;
        loop {
            let mut options: Vec<String> = portal
                .iter()
                .map(|p| format!("Copy {}", p.entra_field))
                .collect();
            options.push("Go on".into());
            let choice = Select::new("Copy a value for the Entra portal, or go on:", options)
                .with_starting_cursor(cursor)
                .raw_prompt()?;
            cursor = choice.index;
            let Some(pv) = portal.get(choice.index) else {
                break;
            };
            if let Some(v) = &pv.value {
                outln!("{}", self.clipboard.copy(v).message(pv.entra_field));
            }
        }
        self.tick(&entra_checklist(&setup))
    }

    /// "Do it for me": sign in, the Entra changes shown and asked once, made, and what Entra
    /// gave put where the next step's answers go.
    fn entra_by_graph(&mut self) -> Flow<()> {
        // SAML: who may sign in first (the sign-in asks for what assigning them needs).
        if let Some(q) = questions::before_graph_sign_in(&self.state.answers) {
            let label = format!("{}:", q.label);
            let help = hint(&q.hint);
            let mut prompt = Text::new(&label)
                .with_help_message(&help)
                .with_validator(validator(|v: &str| questions::assign_list(v).err()));
            if !q.text.is_empty() {
                prompt = prompt.with_default(&q.text);
            }
            let answer = prompt.prompt()?;
            questions::commit_assign(&mut self.state.answers, &answer).map_err(Stop::Failed)?;
            let _ = self.lock.save(&mut self.state);
        }
        let job = self.job();
        let recorded = self.state.entra.graph.clone();
        let tenant = self.state.entra.tenant_id.clone();
        // Signed in earlier in this run: that sign-in again, while it is good for this.
        let kept = match self.signed_in.as_deref() {
            Some(kept) => self
                .runtime
                .block_on(cognito_entra::entra_graph::plan_signed_in(
                    kept,
                    &job,
                    recorded.as_ref(),
                )),
            None => None,
        };
        let session = match kept {
            Some(planned) => planned,
            None => {
                outln!("Signing in to Entra for Microsoft Graph…");
                let clipboard = &mut self.clipboard;
                self.runtime
                    .block_on(cognito_entra::entra_graph::sign_in_and_plan(
                        &self.graph,
                        &job,
                        recorded.as_ref(),
                        tenant.as_deref(),
                        |prompt| match prompt {
                            SignInPrompt::DeviceCode(code) => {
                                outln!(
                                    "To sign in, open {} in any browser and enter the code {} (it expires in {} min).",
                                    code.verification_uri,
                                    code.user_code,
                                    code.expires_in / 60
                                );
                                outln!("{}", clipboard.copy(&code.user_code).message("the sign-in code"));
                            }
                            SignInPrompt::Browser(page) => {
                                match &page.opened_with {
                                    Some(program) => outln!("Sign in in the browser ({program} opened it), or open:"),
                                    None => outln!("No browser could be started; to sign in, open in a browser on this machine:"),
                                }
                                outln!("  {}", page.url);
                                outln!(
                                    "The browser comes back to http://localhost:{} on this machine; the sign-in waits {} s for it.",
                                    page.port,
                                    cognito_entra::entra::graph::browser::IDLE_LIMIT.as_secs()
                                );
                                outln!("{}", clipboard.copy(&page.url).message("the sign-in address"));
                            }
                        },
                    ))
            }
        }
        .map_err(|e| Stop::Failed(format!("error: {e}")))?;
        self.signed_in = Some(Box::new(session.clone()));
        outln!(
            "\nEntra, through Microsoft Graph (tenant {}):",
            session.tenant
        );
        if session.changes.is_empty() {
            outln!("  No changes: the application holds what Cognito needs.");
        }
        for change in &session.changes {
            outln!("  {}", change.describe());
        }
        for note in cognito_entra::journey::graph_notes(
            &self.state.answers,
            &session.desired,
            &session.seen,
        ) {
            outln!("! {note}");
        }
        if !session.changes.is_empty()
            && !Confirm::new("Make these changes in Entra?")
                .with_default(true)
                .prompt()?
        {
            return Err(Stop::Failed("Nothing was made in Entra.".into()));
        }
        let (lock, state) = (&self.lock, &mut self.state);
        let made = self
            .runtime
            .block_on(cognito_entra::entra_graph::make(
                &session,
                &job,
                recorded.as_ref(),
                |record| {
                    // Recorded the moment it exists: a stop here is finished next time.
                    state.entra.graph = Some(record.clone());
                    let _ = lock.save(state);
                },
            ))
            .map_err(|e| Stop::Failed(format!("error: {e}")))?;
        self.entra_waiting = made.waiting.clone();
        if let Some(secret) = results::entra_made(&mut self.state, made, &self.authority) {
            self.secret = Some(secret);
            self.secret_from_graph = true;
        }
        outln!("✓ Made in Entra through Microsoft Graph: check what came back in the next step.");
        Ok(())
    }

    fn back_from_entra(&mut self) -> Flow<()> {
        outln!(
            "{}",
            cognito_entra::journey::plain_text(
                &cognito_entra::journey::instructions_now(Step::BackFromEntra, &self.state)
                    .unwrap_or_default()
            )
        );
        self.questions(Step::BackFromEntra)
    }

    fn mapping(&mut self) -> Flow<()> {
        loop {
            let rows = mapping_rows(&self.state);
            for (attr, claim) in &rows {
                outln!(
                    "  {attr:<14} ← {}",
                    claim.as_deref().unwrap_or("(not mapped: required)")
                );
            }
            let asked = match rows.iter().find(|(_, c)| c.is_none()) {
                // A required attribute nothing fills: its claim is asked first.
                Some((required, None)) => {
                    outln!("{}", mapping_unfinished(&self.state).unwrap_or_default());
                    mapping_questions(Some(required), None)
                }
                _ => {
                    if !Confirm::new("Change or add a mapping?")
                        .with_default(false)
                        .prompt()?
                    {
                        return Ok(());
                    }
                    mapping_questions(None, None)
                }
            };
            let given = ask(Step::AttributeMapping, &asked)?;
            match mapping_problem(&given) {
                Some(problem) => outln!("✗ {problem}"),
                None => commit_mapping(&given, &mut self.state),
            }
        }
    }

    /// The OIDC client secret, asked as step 8 asks it (the journey's question).
    fn ask_secret(&mut self) -> Flow<()> {
        let asked: Vec<Question> =
            questions::questions(Step::BackFromEntra, &self.state, &self.found, None)
                .into_iter()
                .filter(|q| q.key == "secret")
                .collect();
        let given = ask(Step::BackFromEntra, &asked)?;
        let typed = given.text("secret");
        if !typed.is_empty() {
            self.secret = Some(typed);
            self.secret_from_graph = false;
        }
        Ok(())
    }

    fn review(&mut self) -> Flow<()> {
        let mut job = self.job();
        outln!("Planning: reading the account and checking Entra…");
        let mut reviewed = loop {
            match self.runtime.block_on(engine::full_plan(&job)) {
                Ok((plan, ..)) => break plan,
                Err(engine::Error::SecretNeeded(why)) => {
                    outln!("{why}.");
                    self.ask_secret()?;
                    job = self.job();
                }
                Err(advice) => {
                    outln!("{advice}");
                    // A passing fault is worth another try at once; a refusal needs its fix first.
                    if !Confirm::new("Try again?")
                        .with_default(advice.may_pass())
                        .prompt()?
                    {
                        return Err(Stop::Saved);
                    }
                }
            }
        };
        loop {
            if let Some(in_place) = self.state.in_place() {
                outln!("{in_place}");
            }
            out!("{}", reviewed.render());
            if !Confirm::new("Apply these changes?")
                .with_default(true)
                .prompt()?
            {
                return Err(Stop::Saved);
            }
            let total = reviewed.changes.len();
            let graph_secret = self.secret_from_graph;
            let (state, lock) = (&mut self.state, &self.lock);
            let result =
                self.runtime
                    .block_on(engine::apply_reviewed(&job, &reviewed, |i, change, ids| {
                        // Recorded in the state file, then said: which change, not only its number.
                        results::change_applied(state, change, ids, graph_secret);
                        let _ = lock.save(state);
                        outln!("  ✓ {}/{total} {}", i + 1, change.describe());
                    }));
            match result {
                Ok(certs) => {
                    self.state.aws.certificates = certs.iter().map(|c| c.record.clone()).collect();
                    return self.entra_finish();
                }
                Err(engine::NotApplied::Stale(now)) => {
                    outln!(
                        "! The account changed since this plan was made: nothing was written. This is what applying would do now:"
                    );
                    reviewed = now;
                }
                Err(engine::NotApplied::Failed(advice)) => {
                    outln!("✗ {advice}");
                    let _ = self.lock.save(&mut self.state);
                    if !Confirm::new("Retry?")
                        .with_default(advice.may_pass())
                        .prompt()?
                    {
                        return Err(Stop::Saved);
                    }
                    outln!("Planning again…");
                    match self.runtime.block_on(engine::full_plan(&job)) {
                        Ok((plan, ..)) => reviewed = plan,
                        Err(advice) => {
                            outln!("{advice}");
                            return Err(Stop::Saved);
                        }
                    }
                }
            }
        }
    }

    /// Through Graph, the certificates Cognito made just now go to Entra; when that fails,
    /// the last step's portal actions say how to do it by hand.
    fn entra_finish(&mut self) -> Flow<()> {
        let Some(session) = self.entra_waiting.take() else {
            // After a resume the session that would have done it is gone: a new sign-in.
            let Some(left) = cognito_entra::journey::certificates_left_notice(&self.state) else {
                return Ok(());
            };
            outln!("{left}");
            if Confirm::new("Sign in to Entra again and hand it over through Microsoft Graph?")
                .with_default(true)
                .prompt()?
            {
                match self.entra_by_graph() {
                    Err(Stop::Failed(e)) => {
                        outln!("✗ {e}");
                        outln!(
                            "The next step says how to hand Entra the certificates in the portal."
                        );
                    }
                    other => other?,
                }
            }
            return Ok(());
        };
        outln!("Handing Entra Cognito's certificates through Microsoft Graph…");
        let job = self.job();
        let recorded = self.state.entra.graph.clone();
        match self.runtime.block_on(cognito_entra::entra_graph::finish(
            &session,
            &job,
            recorded.as_ref(),
        )) {
            Ok(changes) => {
                for change in &changes {
                    outln!("  {}", change.done());
                }
                results::entra_finished(&mut self.state);
                let _ = self.lock.save(&mut self.state);
            }
            Err(e) => {
                outln!("✗ {e}");
                outln!(
                    "Cognito's side is applied; the next step says how to hand Entra the certificates in the portal."
                );
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Flow<()> {
        let setup = self.state.answers.clone();
        if let Some(none) = cognito_entra::journey::no_certificate_needed(&setup) {
            outln!("{none}");
        }
        if let Some(done) =
            cognito_entra::journey::graph_done_note(Step::FinishInEntra, &self.state)
        {
            outln!("{}", cognito_entra::journey::plain_text(done));
        }
        if !self.state.aws.certificates.is_empty() {
            outln!("Cognito's certificates, for Entra:");
        }
        for c in &self.state.aws.certificates {
            outln!(
                "{} certificate {} (thumbprint {}, valid until {})",
                c.kind,
                c.file.as_deref().unwrap_or(""),
                c.thumbprint,
                c.not_after
            );
            if let Some(place) =
                cognito_entra::cognito::certs::entra_place_now(&self.state, &c.kind)
            {
                outln!("  → {place}");
            }
        }
        outln!(
            "{}",
            cognito_entra::journey::plain_text(
                &cognito_entra::journey::instructions(Step::FinishInEntra, &setup)
                    .unwrap_or_default()
            )
        );
        self.tick(&finish_checklist(&setup))
    }

    fn hand_over(&mut self) -> Flow<()> {
        if let Some(open) = cognito_entra::journey::unticked_text(&self.state) {
            outln!("! {open}");
        }
        let setup = &self.state.answers;
        let values = derive(setup, &self.state.known(), &self.authority);
        outln!(
            "Sign-in URL (open it; your app then receives ?code=…):\n  {}",
            values.sign_in_url.clone().unwrap_or_default()
        );
        outln!(
            "\nFor your app:\n{}",
            cognito_entra::handover::block(setup, &values)
        );
        outln!(
            "As .env:\n{}",
            cognito_entra::handover::env_snippet(setup, &values)
        );
        if setup.protocol == Protocol::Saml {
            self.check_saml_responses(&values)?;
        }
        Ok(())
    }

    /// The test step's check of a captured SAML response, as often as the admin pastes one.
    fn check_saml_responses(&self, values: &cognito_entra::setup::Values) -> Flow<()> {
        outln!(
            "\nSign-in failed at Cognito? In the browser's developer tools (Network), the POST to …/saml2/idpresponse carries a SAMLResponse value: paste it to see why."
        );
        loop {
            let q = questions::saml_response_question();
            let pasted = Text::new(&format!("{} to check (Enter to finish):", q.label))
                .with_help_message(&hint(&q.hint))
                .prompt()?;
            let pasted = pasted.trim();
            if pasted.is_empty() {
                return Ok(());
            }
            match cognito_entra::saml_response::read_and_judge_saved(
                pasted.as_bytes(),
                time::OffsetDateTime::now_utc(),
                &self.state,
                values,
            ) {
                Err(why) => outln!("  ✗ {why}"),
                Ok(d) => {
                    if d.only_notes() {
                        outln!("  ✓ Nothing in this response stops Cognito.");
                    }
                    print_findings(&d.findings);
                    outln!(
                        "  NameID {} · Audience {}",
                        d.name_id.as_deref().unwrap_or("(none)"),
                        d.audience.as_deref().unwrap_or("(none)")
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::hint_rows;

    /// A hint longer than the terminal continues under its own text (inquire puts "[" first).
    #[test]
    fn a_long_hint_wraps_under_itself() {
        let text = "where the app receives ?code=…; HTTPS, or http://localhost:PORT; several: comma-separated";
        let shown = format!("[{}]", hint_rows(text, 60));
        let rows: Vec<&str> = shown.lines().collect();
        assert!(rows.len() > 1, "{rows:?}");
        for row in &rows[1..] {
            assert!(row.starts_with(' ') && !row.starts_with("  "), "{rows:?}");
        }
        for row in &rows {
            assert!(row.chars().count() <= 60, "{rows:?}");
        }
        assert!(shown.contains("http://localhost:PORT;"), "{shown}");
    }
}
