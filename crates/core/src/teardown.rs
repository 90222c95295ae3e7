//! Taking a setup down again (`destroy`), as data: what this setup created is removed, what
//! it adopted is left — an adopted pool keeps its clients, an adopted client keeps working
//! without the setup's provider. The plan is made from what the account holds now, so a
//! removal that finished before (an interrupted destroy) is not planned again, and a destroy
//! run twice plans nothing.

use crate::state::State;

/// What destroy does, for a face's help.
pub const ABOUT: &str = "Destroy removes from Cognito what this setup created: the pool it made (with its domain, clients and users), or on a pool it adopted, its provider, its client and its domain. A pool or client it adopted stays; an adopted client only stops offering the provider. The setup's answers are kept, so it can be set up again. In Entra, an application this setup made through Microsoft Graph is removed too (one it adopted stays); one made in the portal is yours to delete there. A setup made by `import` created nothing, so destroy takes nothing of it down: the provider stays on its clients.";

/// One removal, in the order they run: the client's link to the provider first, then the
/// provider, the client, the domain, the pool (Cognito refuses to delete a pool that still
/// has a domain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// An adopted client stops offering the setup's provider; nothing else of it changes.
    Unlink {
        pool_id: String,
        client_id: String,
        provider: String,
    },
    DeleteProvider {
        pool_id: String,
        name: String,
    },
    DeleteClient {
        pool_id: String,
        client_id: String,
    },
    DeleteDomain {
        pool_id: String,
        domain: String,
    },
    /// With it go its clients, providers and branding.
    DeletePool {
        pool_id: String,
    },
}

impl Removal {
    /// Stable: recorded in the state file once done.
    pub fn id(&self) -> String {
        match self {
            Removal::Unlink {
                client_id,
                provider,
                ..
            } => format!("unlink app_client {client_id} {provider}"),
            Removal::DeleteProvider { name, .. } => format!("delete identity_provider {name}"),
            Removal::DeleteClient { client_id, .. } => format!("delete app_client {client_id}"),
            Removal::DeleteDomain { domain, .. } => format!("delete domain {domain}"),
            Removal::DeletePool { pool_id } => format!("delete user_pool {pool_id}"),
        }
    }

    /// For the plan and the progress lines.
    pub fn describe(&self) -> String {
        match self {
            Removal::Unlink {
                client_id,
                provider,
                ..
            } => format!(
                "take provider {provider} off app client {client_id} (the client stays: it was adopted)"
            ),
            Removal::DeleteProvider { name, .. } => format!("delete identity provider {name}"),
            Removal::DeleteClient { client_id, .. } => format!("delete app client {client_id}"),
            Removal::DeleteDomain { domain, .. } => format!("delete domain {domain}"),
            Removal::DeletePool { pool_id } => {
                format!("delete user pool {pool_id}, with its users, clients and providers")
            }
        }
    }
}

/// What the account holds now of the setup's resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Present {
    pub pool: bool,
    /// The domain prefix, when it is the setup's pool's.
    pub domain: Option<String>,
    pub provider: bool,
    /// The client, and the providers it lists.
    pub client: Option<Vec<String>>,
}

/// The removals, and what is left because the setup adopted it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Teardown {
    pub removals: Vec<Removal>,
    pub kept: Vec<String>,
    /// The Entra application the setup made or adopted through Graph, if it did.
    pub entra: Option<crate::state::GraphRecord>,
    /// The setup was imported (made outside the tool): it created nothing.
    pub imported: bool,
}

impl Teardown {
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.removals.is_empty() && self.imported {
            out.push_str("Nothing to remove: this setup was imported (made outside the tool), so destroy takes nothing down; everything stays as it is.\n");
        } else if self.removals.is_empty() {
            out.push_str("Nothing to remove: nothing this setup created is left in the account.\n");
        } else {
            out.push_str("Destroy plan:\n");
            for r in &self.removals {
                out.push_str(&format!("  - {}\n", r.describe()));
            }
        }
        for k in &self.kept {
            out.push_str(&format!("  = {k}\n"));
        }
        match &self.entra {
            Some(app) if app.created => out.push_str(&format!(
                "  - Entra application {} (made by this setup; removed through Microsoft Graph, after Cognito)\n",
                app.app_id
            )),
            Some(app) => out.push_str(&format!(
                "  = Entra application {} (adopted: kept)\n",
                app.app_id
            )),
            None => out.push_str(
                "Nothing changes in Entra: delete the enterprise application (or app registration) there yourself when it is no longer needed.\n",
            ),
        }
        out
    }
}

/// The setup's pool and client IDs as recorded: `(pool, created_by_setup)`.
fn pool_of(state: &State) -> Option<(String, bool)> {
    match (&state.answers.user_pool.id, &state.aws.user_pool_id) {
        (Some(adopted), _) => Some((adopted.clone(), false)),
        (None, Some(created)) => Some((created.clone(), true)),
        (None, None) => None,
    }
}

/// What taking the setup down removes, given what the account holds now.
pub fn teardown(state: &State, present: &Present) -> Teardown {
    let mut out = Teardown {
        entra: state.entra.graph.clone(),
        imported: state.imported.is_some(),
        ..Teardown::default()
    };
    let Some((pool_id, pool_created)) = pool_of(state) else {
        return out;
    };
    if !present.pool {
        return out;
    }
    let provider = state.answers.provider_name().to_string();
    if pool_created {
        if let Some(domain) = &present.domain {
            out.removals.push(Removal::DeleteDomain {
                pool_id: pool_id.clone(),
                domain: domain.clone(),
            });
        }
        out.removals.push(Removal::DeletePool { pool_id });
        return out;
    }
    out.kept
        .push(format!("user pool {pool_id} stays: the setup adopted it"));
    let made = created(state);
    let client_id = state.client_id().map(str::to_string);
    if let (Some(client_id), Some(listed)) = (&client_id, &present.client) {
        if !made.client {
            out.kept.push(format!(
                "app client {client_id} stays: the setup adopted it"
            ));
            // An imported setup linked nothing: the provider was on the client before it.
            if listed.contains(&provider) && state.imported.is_some() {
                out.kept.push(format!(
                    "app client {client_id} keeps {provider}: it was there before the setup was imported"
                ));
            } else if listed.contains(&provider) {
                out.removals.push(Removal::Unlink {
                    pool_id: pool_id.clone(),
                    client_id: client_id.clone(),
                    provider: provider.clone(),
                });
            }
        } else {
            out.removals.push(Removal::DeleteClient {
                pool_id: pool_id.clone(),
                client_id: client_id.clone(),
            });
        }
    }
    if present.provider && made.provider {
        out.removals.push(Removal::DeleteProvider {
            pool_id: pool_id.clone(),
            name: provider,
        });
    } else if present.provider {
        out.kept.push(format!(
            "identity provider {provider} stays: the setup adopted it"
        ));
    }
    // The domain, when this setup made it on the adopted pool; else it stays, and says so.
    if let Some(domain) = &present.domain {
        if state
            .progress
            .applied
            .iter()
            .any(|a| *a == format!("create domain {domain}"))
        {
            out.removals.push(Removal::DeleteDomain {
                pool_id,
                domain: domain.clone(),
            });
        } else {
            out.kept
                .push(format!("domain {domain} stays: the setup adopted it"));
        }
    }
    out
}

/// Which of the client and the provider this setup made, as its state records it: everything
/// in a pool it made, and what a finished change of its own created (`create app_client web`,
/// `create identity_provider EntraID`). A client or provider found already there (by name, or
/// adopted by ID) is adopted: `destroy` leaves it and the plan keeps what others added to it.
/// A state written before the prepare step recorded its creates counts a client it made on an
/// adopted pool as adopted — the safe side: nothing of it is removed.
pub fn created(state: &State) -> crate::account::Created {
    let applied = |id: String| state.progress.applied.contains(&id);
    let pool = matches!(pool_of(state), Some((_, true)));
    let client = state.answers.app_client.id.is_none()
        && state.aws.client_id.is_some()
        && (pool
            || state
                .answers
                .app_client
                .name
                .as_ref()
                .is_some_and(|n| applied(format!("create app_client {n}"))));
    let provider = pool
        || applied(format!(
            "create identity_provider {}",
            state.answers.provider_name()
        ));
    crate::account::Created { client, provider }
}

/// What the setup made in Cognito and what it adopted, as recorded, for `setups` and the
/// welcome list: `(created, adopted)`, each a list of "user pool eu-west-1_x" and the like.
pub fn ownership(state: &State) -> (Vec<String>, Vec<String>) {
    let (mut created, mut adopted) = (Vec::new(), Vec::new());
    let applied = |id: String| state.progress.applied.contains(&id);
    match (&state.answers.user_pool.id, &state.aws.user_pool_id) {
        (Some(id), _) => adopted.push(format!("user pool {id}")),
        (None, Some(id)) => created.push(format!("user pool {id}")),
        (None, None) => {}
    }
    if let Some(prefix) = &state.answers.domain.prefix
        && applied(format!("create domain {prefix}"))
    {
        created.push(format!("domain {prefix}"));
    }
    let made = self::created(state);
    match (&state.answers.app_client.id, &state.aws.client_id) {
        (Some(id), _) => adopted.push(format!("app client {id}")),
        (None, Some(id)) if made.client => created.push(format!("app client {id}")),
        (None, Some(id)) => adopted.push(format!("app client {id}")),
        (None, None) => {}
    }
    let provider = state.answers.provider_name();
    if applied(format!("create identity_provider {provider}")) {
        created.push(format!("identity provider {provider}"));
    }
    (created, adopted)
}

/// Once every removal is done: the setup no longer has Cognito resources. Its answers stay
/// (it can be set up again); its record of AWS, applied changes and the steps that made them
/// go, so `status` and a resumed wizard see a setup at its start.
pub fn record_torn_down(state: &mut State) {
    let profile = state.aws.profile.take();
    state.aws = Default::default();
    state.aws.profile = profile;
    state.progress.applied.clear();
    state.progress.checklist.clear();
    state.entra = Default::default();
    state
        .progress
        .steps_done
        .retain(|s| s.number() <= crate::step::Step::AwsAccount.number());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::{Protocol, Setup};

    fn state(adopt_pool: bool, adopt_client: bool) -> State {
        let mut s = State::new(Setup::blank("corp", Protocol::Saml));
        if adopt_pool {
            s.answers.user_pool.id = Some("eu-west-1_P".into());
        }
        s.aws.user_pool_id = Some("eu-west-1_P".into());
        if adopt_client {
            s.answers.app_client.id = Some("C".into());
        }
        s.aws.client_id = Some("C".into());
        s
    }

    fn present() -> Present {
        Present {
            pool: true,
            domain: Some("corp-login".into()),
            provider: true,
            client: Some(vec!["EntraID".into(), "COGNITO".into()]),
        }
    }

    #[test]
    fn a_created_pool_goes_with_its_domain_first() {
        let t = teardown(&state(false, false), &present());
        assert_eq!(
            t.removals,
            vec![
                Removal::DeleteDomain {
                    pool_id: "eu-west-1_P".into(),
                    domain: "corp-login".into()
                },
                Removal::DeletePool {
                    pool_id: "eu-west-1_P".into()
                }
            ]
        );
    }

    #[test]
    fn an_adopted_pool_and_client_are_left_only_the_provider_and_its_link_go() {
        let mut s = state(true, true);
        s.answers.provider.name = Some("EntraID".into());
        s.record_applied("create identity_provider EntraID".into());
        let t = teardown(&s, &present());
        assert_eq!(t.removals.len(), 2, "{t:?}");
        assert!(matches!(t.removals[0], Removal::Unlink { .. }));
        assert!(matches!(t.removals[1], Removal::DeleteProvider { .. }));
        // The pool, the client and the domain were there before the setup: they stay, said.
        assert_eq!(t.kept.len(), 3, "{:?}", t.kept);
        assert!(
            t.kept.iter().any(|k| k.starts_with("domain ")),
            "{:?}",
            t.kept
        );
        // The domain was there before the setup: it stays.
        assert!(
            !t.removals
                .iter()
                .any(|r| matches!(r, Removal::DeleteDomain { .. }))
        );
    }

    #[test]
    fn a_provider_and_client_found_already_there_are_kept() {
        // On an adopted pool, a client found by name and a provider the setup did not make.
        let mut s = state(true, false);
        s.answers.app_client.name = Some("web".into());
        let t = teardown(&s, &present());
        assert!(
            t.removals.iter().all(|r| !matches!(
                r,
                Removal::DeleteProvider { .. } | Removal::DeleteClient { .. }
            )),
            "{t:?}"
        );
        assert!(
            t.kept
                .iter()
                .any(|k| k.contains("identity provider EntraID stays")),
            "{t:?}"
        );
        // Once the setup's own create of the client is recorded, destroy takes it down.
        s.record_applied("create app_client web".into());
        let t = teardown(&s, &present());
        assert!(
            t.removals
                .iter()
                .any(|r| matches!(r, Removal::DeleteClient { .. })),
            "{t:?}"
        );
    }

    #[test]
    fn nothing_left_plans_nothing() {
        let t = teardown(&state(false, false), &Present::default());
        assert!(t.removals.is_empty());
        assert!(t.render().starts_with("Nothing to remove"));
    }
}
