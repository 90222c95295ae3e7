//! Where and as whom the tool works — the AWS profile and region, the endpoint — decided by
//! one rule for every face and command: a flag first, then the environment, then what the
//! saved setup says, then a default. The wizard, plain mode, `plan`, `apply` and `doctor` all
//! ask here, so none of them can drift to a rule of its own (README, "Where and as whom").

/// Where and as whom to call AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub region: String,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

impl AwsOptions {
    /// The profile the SDK will use: the one given, else `AWS_PROFILE`, else `default` (for
    /// messages: an unknown `AWS_PROFILE=nope` must be named as `nope`).
    pub fn effective_profile(&self) -> String {
        self.profile
            .clone()
            .filter(|p| !p.trim().is_empty())
            .or_else(|| {
                std::env::var("AWS_PROFILE")
                    .ok()
                    .filter(|p| !p.trim().is_empty())
            })
            .unwrap_or_else(|| "default".into())
    }
}

/// The global flags that say where and as whom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Where a chosen value came from (the wizard says so beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment(&'static str),
    Setup,
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub value: String,
    pub from: Source,
}

pub const DEFAULT_PROFILE: &str = "default";
pub const DEFAULT_REGION: &str = "us-east-1";

fn nonempty(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn env(var: &'static str) -> Option<(String, Source)> {
    nonempty(std::env::var(var).ok().as_deref()).map(|v| (v, Source::Environment(var)))
}

fn choose(
    flag: Option<&str>,
    environment: &[&'static str],
    saved: Option<&str>,
    default: &str,
) -> Chosen {
    let (value, from) = nonempty(flag)
        .map(|v| (v, Source::Flag))
        .or_else(|| environment.iter().find_map(|var| env(var)))
        .or_else(|| nonempty(saved).map(|v| (v, Source::Setup)))
        .unwrap_or_else(|| (default.to_string(), Source::Default));
    Chosen { value, from }
}

/// The AWS profile: `--profile`, `AWS_PROFILE`, the setup's saved profile, `default`.
pub fn profile(given: &Given, saved: Option<&str>) -> Chosen {
    choose(
        given.profile.as_deref(),
        &["AWS_PROFILE"],
        saved,
        DEFAULT_PROFILE,
    )
}

/// The region a new setup's question offers: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
/// the setup's saved answer, `us-east-1`.
pub fn region(given: &Given, saved: Option<&str>) -> Chosen {
    choose(
        given.region.as_deref(),
        &["AWS_REGION", "AWS_DEFAULT_REGION"],
        saved,
        DEFAULT_REGION,
    )
}

impl Chosen {
    /// This choice (made without a saved setup) with the saved setup's value taken into
    /// account, in the same order: a flag or the environment still wins, a default does not.
    /// Lets a face read the flags and environment once and stay pure afterwards.
    pub fn with_saved(&self, saved: Option<&str>) -> Chosen {
        match self.from {
            Source::Flag | Source::Environment(_) => self.clone(),
            Source::Setup | Source::Default => match nonempty(saved) {
                Some(value) => Chosen {
                    value,
                    from: Source::Setup,
                },
                None => self.clone(),
            },
        }
    }
}

/// Where to call AWS for a setup in `region`. A profile that came from the environment or
/// the default is left to the SDK, whose chain reads it itself (after the environment's own
/// keys); a profile from a flag or the saved setup is named.
pub fn aws_options(given: &Given, saved_profile: Option<&str>, region: &str) -> AwsOptions {
    let chosen = profile(given, saved_profile);
    let named = match chosen.from {
        Source::Flag => Some(chosen.value),
        Source::Setup if chosen.value != DEFAULT_PROFILE => Some(chosen.value),
        _ => None,
    };
    AwsOptions {
        region: region.to_string(),
        profile: named,
        endpoint_url: nonempty(given.endpoint_url.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_beats_the_setup_which_beats_the_default() {
        let flags = Given {
            profile: Some("prod".into()),
            ..Given::default()
        };
        assert_eq!(profile(&flags, Some("saved")).value, "prod");
        let none = Given::default();
        // (AWS_PROFILE is not set in unit tests' environment on CI; the setup then decides.)
        if std::env::var_os("AWS_PROFILE").is_none() {
            assert_eq!(profile(&none, Some("saved")).from, Source::Setup);
            assert_eq!(profile(&none, None).value, "default");
            assert_eq!(
                aws_options(&none, Some("saved"), "eu-west-1")
                    .profile
                    .as_deref(),
                Some("saved")
            );
            assert_eq!(
                aws_options(&none, Some("default"), "eu-west-1").profile,
                None
            );
        }
        assert_eq!(
            aws_options(&flags, Some("saved"), "eu-west-1")
                .profile
                .as_deref(),
            Some("prod")
        );
    }
}
