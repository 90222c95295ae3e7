//! The runtime's side of The Elm Architecture: executes `Cmd`s. Quick ones (save, copy, lock)
//! run inline; slow ones (AWS, HTTP) run as tokio tasks that send a `Msg` back, so the screen
//! never freezes.

use tokio::sync::mpsc::UnboundedSender;

use cognito_entra::clipboard::Clipboard;
use cognito_entra::saml_response;
use cognito_entra::state::{SetupLock, State, StateStore};

use cognito_entra::cognito::apply::Ids;
use cognito_entra::engine::{self, Job, NotApplied, apply_reviewed, full_plan};
use cognito_entra::plan::Change;

use super::app::{Cmd, Model, Msg, TaskDone};

pub struct Runtime {
    pub store: StateStore,
    pub lock: Option<SetupLock>,
    pub clipboard: Clipboard,
    pub tx: UnboundedSender<Msg>,
    pub given: cognito_entra::resolve::Given,
    /// The flags and environment; a setup's own `[entra] cloud` is laid over them for its
    /// work (its authority, and how to reach Graph for "do it for me").
    pub ctx: crate::commands::Context,
}

impl Runtime {
    fn job(&self, m: &Model) -> Option<Job> {
        let state = m.state.as_ref()?;
        let here = self.ctx.for_setup(&state.answers);
        let mut job = Job::from_state(state, &self.given, &here.global.authority, m.secret.clone());
        // Certificates go beside the setup's state, shown by their full path.
        job.out_dir = self.store.dir().join(&state.answers.name);
        job.others = self.store.others(&state.answers.name);
        Some(job)
    }

    fn spawn<F>(&self, future: F)
    where
        F: std::future::Future<Output = TaskDone> + Send + 'static,
    {
        let tx = self.tx.clone();
        // Test switch (test builds only): every task panics, to prove a worker's panic leaves
        // the screen whole.
        let future = {
            let panic_in_task = cognito_entra::test_switches::panic_in_task();
            async move {
                if panic_in_task {
                    panic!("test-only panic in a task (a test switch)");
                }
                future.await
            }
        };
        // The work runs in a task of its own so that a panic in it (a bug, or a library that
        // panics on bad input) comes back as a message instead of a wait that never ends.
        let work = tokio::spawn(future);
        tokio::spawn(async move {
            let done = match work.await {
                Ok(done) => done,
                Err(e) => TaskDone::Crashed(format!(
                    "✗ the work stopped with an internal error ({}); what finished is saved\n  fix: press Enter to try again; run with -v and report the log if it happens again",
                    if e.is_panic() { "a panic" } else { "cancelled" }
                )),
            };
            let _ = tx.send(Msg::Task(done));
        });
    }

    /// Executes commands; quick answers go straight back into the model.
    pub fn execute(&mut self, m: &mut Model, cmds: Vec<Cmd>) {
        let mut queue: std::collections::VecDeque<Cmd> = cmds.into();
        while let Some(cmd) = queue.pop_front() {
            let more = match cmd {
                Cmd::Lock { name, protocol } => {
                    let result = self.lock(&name, protocol).map(Box::new);
                    if let Ok(state) = &result {
                        m.authority = self.ctx.for_setup(&state.answers).global.authority;
                    }
                    super::app::update(m, Msg::Locked(result))
                }
                Cmd::Save => {
                    if let (Some(lock), Some(state)) = (&self.lock, m.state.as_mut())
                        && let Err(e) = lock.save(state)
                    {
                        m.message = vec![format!("could not save: {e}")];
                    }
                    Vec::new()
                }
                Cmd::ImportRead => {
                    let scope = cognito_entra::import::Scope::new(
                        &self.given,
                        &[],
                        None,
                        &self.ctx.global.authority,
                    );
                    let store = self.store.clone();
                    self.spawn(async move {
                        let result = cognito_entra::import::import(&scope, &store)
                            .await
                            .map_err(|e| e.to_string());
                        TaskDone::ImportRead(Box::new(result))
                    });
                    Vec::new()
                }
                Cmd::RotatePlan(setup) => {
                    self.rotate(setup, true);
                    Vec::new()
                }
                Cmd::Rotate(setup) => {
                    self.rotate(setup, false);
                    Vec::new()
                }
                Cmd::CheckKitAnswer(kit, reply) => {
                    let authority = self.ctx.global.authority.clone();
                    self.spawn(async move {
                        let result =
                            cognito_entra::handoff::check_own_answer(&kit, &reply, &authority)
                                .await
                                .map(|notes| (*reply, notes))
                                .map_err(|e| e.to_string());
                        TaskDone::KitAnswerChecked(Box::new(result))
                    });
                    Vec::new()
                }
                Cmd::WriteReply { path, text } => {
                    // A small local file, written here at once.
                    let result = cognito_entra::files::replace(&path, text.as_bytes(), 0o644)
                        .map(|_| ())
                        .map_err(|e| format!("error: {e}"));
                    super::app::update(m, Msg::Task(TaskDone::ReplyWritten(result)))
                }
                Cmd::CheckReply(reply) => {
                    let store = self.store.clone();
                    let name = m.setup().map(|s| s.name.clone()).unwrap_or_default();
                    let authority = m.authority.clone();
                    self.spawn(async move {
                        let result =
                            cognito_entra::handoff::check_reply(&store, &name, &reply, &authority)
                                .await
                                .map_err(|e| e.to_string());
                        TaskDone::ReplyChecked(Box::new(result))
                    });
                    Vec::new()
                }
                Cmd::ImportSave(chosen) => {
                    // Local files only: written here, at once, each under its setup's lock.
                    let mut report = cognito_entra::import::Report::default();
                    let result = cognito_entra::import::save_all(&self.store, &mut report, &chosen)
                        .map(|()| chosen.iter().map(|c| c.found.setup.name.clone()).collect())
                        .map_err(|e| e.to_string());
                    super::app::update(m, Msg::Task(TaskDone::ImportSaved(result)))
                }
                Cmd::Release => {
                    self.lock = None;
                    let rows = super::rows(&self.store).map_err(|e| e.to_string());
                    super::app::update(m, Msg::Rows(rows))
                }
                Cmd::Copy { what, value } => {
                    let outcome = self.clipboard.copy(&value);
                    super::app::update(m, Msg::Copied(outcome.short(&what)))
                }
                Cmd::Open(url) => {
                    let mut open = std::process::Command::new("xdg-open");
                    cognito_entra::secrets::desktop_environment_only(&mut open);
                    let opened = std::env::var_os("DISPLAY").is_some()
                        && open
                            .arg(&url)
                            .stdout(std::process::Stdio::null())
                            .stderr(std::process::Stdio::null())
                            .spawn()
                            .is_ok();
                    let text = if opened {
                        "✓ opened in your browser".to_string()
                    } else {
                        "! no browser here: copy the URL (1) and open it where you have one"
                            .to_string()
                    };
                    super::app::update(m, Msg::Copied(text))
                }
                slow => {
                    if matches!(slow, Cmd::LoadPools) {
                        cognito_entra::results::pools_in_use(&mut m.found, &self.store);
                    }
                    self.start(m, slow);
                    Vec::new()
                }
            };
            queue.extend(more);
        }
    }

    /// The engine's rotation of a saved setup, in a task: `dry_run` plans only (the screen
    /// shows it), else it rotates as planned (the plan was shown; the engine reads again and
    /// says what it did). What it says is collected for the screen; the sign-in goes to the
    /// busy line.
    fn rotate(&self, setup: String, dry_run: bool) {
        let run = crate::commands::rotate::run_for(&self.ctx, &setup, None);
        let store = self.store.clone();
        let tx = self.tx.clone();
        self.spawn(async move {
            let result = match run {
                Err(e) => Err(e.to_string()),
                Ok((run, _warnings)) => {
                    let mut face = TaskFace {
                        text: String::new(),
                        tx,
                    };
                    let flags = cognito_entra::rotate::Flags {
                        yes: true,
                        dry_run,
                        remove_old: false,
                        secret_expires: None,
                    };
                    match cognito_entra::rotate::rotate(run, &store, flags, &mut face).await {
                        Ok(_) => Ok(face.text),
                        Err(stopped) => Err(format!("{}\n{stopped}", face.text)),
                    }
                }
            };
            if dry_run {
                TaskDone::RotatePlanned(result)
            } else {
                TaskDone::Rotated(result)
            }
        });
    }

    fn lock(
        &mut self,
        name: &str,
        protocol: Option<cognito_entra::setup::Protocol>,
    ) -> Result<State, String> {
        let (lock, state) = self.store.open(name, protocol).map_err(|e| e.to_string())?;
        self.lock = Some(lock);
        Ok(state)
    }

    fn start(&self, m: &Model, cmd: Cmd) {
        let Some(job) = self.job(m) else { return };
        match cmd {
            Cmd::LoadPools => {
                self.spawn(async move { TaskDone::Pools(engine::list_pools(&job).await) })
            }
            Cmd::LoadPool(id) => {
                self.spawn(async move { TaskDone::Pool(engine::read_pool(&job, &id).await) })
            }
            Cmd::CheckDomain(prefix) => self.spawn(async move {
                let result = engine::domain_owner(&job, &prefix).await;
                TaskDone::Domain(prefix, result)
            }),
            Cmd::ProbeDomain(prefix) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let result = engine::domain_owner(&job, &prefix).await;
                    let _ = tx.send(Msg::DomainProbed(prefix, result));
                });
            }
            Cmd::PlanPrepare => self
                .spawn(async move { TaskDone::PreparePlanned(engine::prepare_plan(&job).await) }),
            Cmd::Prepare(plan) => self.spawn(async move {
                match engine::prepare_reviewed(&job, &plan).await {
                    Ok(prepared) => TaskDone::Prepared(Ok(prepared)),
                    Err(NotApplied::Stale(now)) => TaskDone::PrepareStale(now),
                    Err(NotApplied::Failed(e)) => TaskDone::Prepared(Err(e)),
                }
            }),
            Cmd::CheckMetadata { source } => self.spawn(async move {
                TaskDone::Metadata(Box::new(
                    engine::check_metadata(&source, &job.authority, &job.base_dir).await,
                ))
            }),
            Cmd::CheckTenant(tenant) => self.spawn(async move {
                TaskDone::Tenant(Box::new(
                    engine::check_tenant(&tenant, &job.authority).await,
                ))
            }),
            Cmd::PlanTeardown => {
                let Some(state) = m.state.clone() else { return };
                self.spawn(async move {
                    TaskDone::TeardownPlanned(engine::teardown_plan(&job, &state).await)
                })
            }
            Cmd::Teardown(reviewed) => {
                let Some(state) = m.state.clone() else { return };
                let tx = self.tx.clone();
                self.spawn(async move {
                    let progress = |i: usize, r: &cognito_entra::teardown::Removal| {
                        let _ = tx.send(Msg::Task(TaskDone::Removed(i, r.id())));
                    };
                    TaskDone::TornDown(
                        engine::teardown_reviewed(&job, &state, &reviewed, progress).await,
                    )
                })
            }
            Cmd::Plan => self.spawn(async move {
                TaskDone::Planned(full_plan(&job).await.map(|(plan, ..)| plan))
            }),
            Cmd::CheckSamlResponse(pasted) => {
                let (Some(state), Some(values)) = (m.state.clone(), m.values()) else {
                    return;
                };
                self.spawn(async move {
                    let result = saml_response::read_and_judge_saved(
                        pasted.as_bytes(),
                        time::OffsetDateTime::now_utc(),
                        &state,
                        &values,
                    );
                    TaskDone::SamlChecked(Box::new(result))
                })
            }
            Cmd::EntraSignIn => {
                let options = match &m.state {
                    Some(state) => self.ctx.for_setup(&state.answers).graph_options(),
                    None => self.ctx.graph_options(),
                };
                let state = m.state.clone();
                let tx = self.tx.clone();
                let kept = m.graph.signed_in.clone();
                self.spawn(async move {
                    let recorded = state.as_ref().and_then(|s| s.entra.graph.clone());
                    let tenant = state.as_ref().and_then(|s| s.entra.tenant_id.clone());
                    // Signed in earlier in this run: that sign-in again, while it is good.
                    if let Some(kept) = kept.as_deref()
                        && let Some(planned) = cognito_entra::entra_graph::plan_signed_in(
                            kept,
                            &job,
                            recorded.as_ref(),
                        )
                        .await
                    {
                        return TaskDone::EntraPlanned(Box::new(planned));
                    }
                    // Nothing is printed while the wizard owns the terminal: the prompt goes
                    // to its busy line (the browser's output goes nowhere).
                    let show = |prompt: cognito_entra::entra::graph::SignInPrompt<'_>| {
                        use cognito_entra::entra::graph::SignInPrompt;
                        let _ = tx.send(Msg::Task(match prompt {
                            SignInPrompt::DeviceCode(code) => TaskDone::DeviceCode {
                                uri: code.verification_uri.clone(),
                                code: code.user_code.clone(),
                            },
                            SignInPrompt::Browser(page) => TaskDone::BrowserSignIn {
                                url: page.url.clone(),
                                opened: page.opened_with.is_some(),
                            },
                        }));
                    };
                    TaskDone::EntraPlanned(Box::new(
                        cognito_entra::entra_graph::sign_in_and_plan(
                            &options,
                            &job,
                            recorded.as_ref(),
                            tenant.as_deref(),
                            show,
                        )
                        .await,
                    ))
                })
            }
            Cmd::EntraMake(session) => {
                let recorded = m.state.as_ref().and_then(|s| s.entra.graph.clone());
                let tx = self.tx.clone();
                self.spawn(async move {
                    let made = |record: &cognito_entra::state::GraphRecord| {
                        let _ = tx.send(Msg::Task(TaskDone::EntraObject(record.clone())));
                    };
                    TaskDone::EntraMade(Box::new(
                        cognito_entra::entra_graph::make(&session, &job, recorded.as_ref(), made)
                            .await,
                    ))
                })
            }
            Cmd::EntraFinish(session) => {
                let recorded = m.state.as_ref().and_then(|s| s.entra.graph.clone());
                self.spawn(async move {
                    TaskDone::EntraFinished(Box::new(
                        cognito_entra::entra_graph::finish(&session, &job, recorded.as_ref()).await,
                    ))
                })
            }
            Cmd::Apply => {
                // Exactly the plan on the review screen; a stale one comes back instead.
                let Some(reviewed) = m.review.plan.clone() else {
                    return;
                };
                let tx = self.tx.clone();
                self.spawn(async move {
                    let progress = |i: usize, _: &Change, ids: &Ids| {
                        let _ = tx.send(Msg::Task(TaskDone::ApplyStep(i, ids.clone())));
                    };
                    match apply_reviewed(&job, &reviewed, progress).await {
                        Ok(certs) => TaskDone::Applied(Ok(certs)),
                        Err(NotApplied::Stale(now)) => TaskDone::Stale(now),
                        Err(NotApplied::Failed(advice)) => TaskDone::Applied(Err(advice)),
                    }
                })
            }
            _ => {}
        }
    }
}

/// The face of engine work done in a task: what it says is collected for the screen, its
/// sign-in prompt goes to the busy line; it asks nothing (the screen asked before it began),
/// and a secret is not typed here (the engine reads COGNITO_ENTRA_CLIENT_SECRET).
struct TaskFace {
    text: String,
    tx: UnboundedSender<Msg>,
}

impl cognito_entra::run::Face for TaskFace {
    fn sign_in(&self, prompt: cognito_entra::entra::graph::SignInPrompt<'_>) {
        use cognito_entra::entra::graph::SignInPrompt;
        let _ = self.tx.send(Msg::Task(match prompt {
            SignInPrompt::DeviceCode(code) => TaskDone::DeviceCode {
                uri: code.verification_uri.clone(),
                code: code.user_code.clone(),
            },
            SignInPrompt::Browser(page) => TaskDone::BrowserSignIn {
                url: page.url.clone(),
                opened: page.opened_with.is_some(),
            },
        }));
    }

    fn show(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn note(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }

    fn confirm(&mut self, _question: &str, _nothing: &str) -> Result<(), String> {
        Ok(())
    }

    fn secret(&mut self) -> Result<Option<String>, String> {
        Ok(None)
    }
}
