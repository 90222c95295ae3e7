//! The command-line contract (DESIGN.md). Only definitions live here; `commands/` acts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "cognito-entra",
    version,
    about = "Federate an Amazon Cognito user pool with Microsoft Entra ID, by SAML or OIDC",
    long_about = "Federate an Amazon Cognito user pool with Microsoft Entra ID, by SAML or OIDC.\n\nWith no command, opens the wizard. Every step of the wizard is also a command below, so a setup can be scripted from a setup file (--config FILE, see docs/configuration.md).",
    after_help = "Exit codes: 0 success, 1 failure (the message says what and how to fix), 2 usage error, 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Folder of saved setups [default: the platform's state folder]
    #[arg(
        long,
        global = true,
        env = "COGNITO_ENTRA_STATE_DIR",
        value_name = "DIR"
    )]
    pub state_dir: Option<PathBuf>,
    /// AWS profile (from ~/.aws/config), as with the aws CLI
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region, when the setup does not say
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send AWS calls to this endpoint (an emulator); AWS_ENDPOINT_URL works too
    #[arg(long, global = true, value_name = "URL", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub endpoint_url: Option<String>,
    /// The Microsoft cloud the tenant is in: global, usgov (US Government) or china (21Vianet).
    /// It chooses the sign-in host, Microsoft Graph and the scopes' resource
    /// [default: the setup's [entra] cloud, else global]
    #[arg(long, global = true, env = "COGNITO_ENTRA_CLOUD", value_enum)]
    pub cloud: Option<CloudArg>,
    /// Where sign-in requests go [default: the cloud's sign-in host] (proxies, tests)
    #[arg(
        long = "authority",
        global = true,
        env = "COGNITO_ENTRA_AUTHORITY",
        value_name = "URL"
    )]
    pub authority_given: Option<String>,
    /// The Entra sign-in authority in effect: --authority, else the cloud's.
    #[arg(skip)]
    pub authority: String,
    /// Where Microsoft Graph requests go [default: the cloud's Graph] (proxies, tests)
    #[arg(
        long = "graph-url",
        global = true,
        env = "COGNITO_ENTRA_GRAPH_URL",
        value_name = "URL"
    )]
    pub graph_url_given: Option<String>,
    /// Microsoft Graph's base URL in effect: --graph-url, else the cloud's.
    #[arg(skip)]
    pub graph_url: String,
    /// The public client the device-code sign-in uses [default: Microsoft Graph Command Line
    /// Tools; docs/permissions.md]
    #[arg(long, global = true, env = "COGNITO_ENTRA_GRAPH_CLIENT_ID", value_name = "ID", default_value = cognito_entra::entra::graph::signin::DEFAULT_CLIENT_ID)]
    pub entra_client_id: String,
    /// The tenant Graph works in (GUID or verified domain), over the setup's [entra] tenant:
    /// the sign-in goes there, and a token for another tenant stops before any write
    #[arg(long, global = true, env = "COGNITO_ENTRA_TENANT", value_name = "TENANT", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub entra_tenant: Option<String>,
    /// The account's Cognito request-rate quotas where they were raised above AWS's defaults,
    /// as CATEGORY=RPS pairs (e.g. UserPoolResourceRead=100,UserPoolRead=50): calls are
    /// paced to them instead [default: AWS's default quotas]
    #[arg(long, global = true, env = "COGNITO_ENTRA_COGNITO_QUOTAS", value_name = "LIST", value_parser = parse_quotas)]
    pub cognito_quotas: Option<cognito_entra::rate::Quotas>,
    /// How to sign in to Entra for Graph [default: environment when AZURE_TENANT_ID,
    /// AZURE_CLIENT_ID and a credential are set, else device-code]
    #[arg(long, global = true, value_enum)]
    pub entra_sign_in: Option<SignInArg>,
    /// Where copied values go
    #[arg(long, global = true, value_enum, default_value_t = ClipboardArg::Auto)]
    pub clipboard: ClipboardArg,
    /// Write a detailed log to the state folder (never to the screen)
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignInArg {
    /// Show a code to enter at microsoft.com/devicelogin (any browser, any machine)
    DeviceCode,
    /// Sign in through a browser on this machine (authorization code with PKCE and a
    /// localhost redirect), for tenants whose Conditional Access blocks the device code
    Browser,
    /// Use the token of the Azure CLI (`az login` first)
    AzCli,
    /// An application's own token from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET,
    /// AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE (pipelines)
    Environment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CloudArg {
    /// The global service (login.microsoftonline.com, graph.microsoft.com)
    Global,
    /// US Government (login.microsoftonline.us, graph.microsoft.us)
    Usgov,
    /// Operated by 21Vianet in China (login.chinacloudapi.cn, microsoftgraph.chinacloudapi.cn)
    China,
}

impl Global {
    /// The cloud in effect: --cloud / COGNITO_ENTRA_CLOUD, else (`for_setup`) the setup's
    /// `[entra] cloud`, else global.
    pub fn cloud(&self) -> cognito_entra::cloud::Cloud {
        use cognito_entra::cloud::Cloud;
        match self.cloud {
            None | Some(CloudArg::Global) => Cloud::Global,
            Some(CloudArg::Usgov) => Cloud::UsGov,
            Some(CloudArg::China) => Cloud::China,
        }
    }

    /// These options for a setup: its `[entra] cloud` taken when no cloud was given by flag or
    /// environment, and the authority and Graph chosen again for it.
    pub fn for_setup(&self, setup: &cognito_entra::setup::Setup) -> Global {
        use cognito_entra::cloud::Cloud;
        let mut out = self.clone();
        if out.cloud.is_none() {
            out.cloud = setup.entra.cloud().map(|c| match c {
                Cloud::Global => CloudArg::Global,
                Cloud::UsGov => CloudArg::Usgov,
                Cloud::China => CloudArg::China,
            });
        }
        out.resolve_cloud();
        out
    }

    /// The authority and Graph in effect: where --authority and --graph-url say, else the
    /// cloud's own.
    pub fn resolve_cloud(&mut self) {
        let cloud = self.cloud();
        self.authority = self
            .authority_given
            .clone()
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| cloud.authority().to_string());
        self.graph_url = self
            .graph_url_given
            .clone()
            .filter(|g| !g.trim().is_empty())
            .unwrap_or_else(|| cloud.graph_root().to_string());
    }

    /// The sign-in in effect: the flag, else the pipeline's credentials when the environment
    /// holds a complete set (as DefaultAzureCredential tries them first), else the device code.
    pub fn sign_in(&self) -> SignInArg {
        self.entra_sign_in.unwrap_or(
            if cognito_entra::entra::graph::pipeline::from_environment().is_some() {
                SignInArg::Environment
            } else {
                SignInArg::DeviceCode
            },
        )
    }
}

/// Who does the Entra side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EntraArg {
    /// The admin, in the Entra admin center (the wizard's screens)
    Manual,
    /// The tool, through Microsoft Graph (sign in once)
    Graph,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClipboardArg {
    /// The system clipboard when there is a display, else the terminal (OSC 52)
    Auto,
    /// The system clipboard only
    System,
    /// The terminal's clipboard through OSC 52 (works over SSH)
    Osc52,
    /// Do not copy; values are printed only
    Off,
}

/// Where a command takes its setup from: a saved setup or a setup file.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// A saved setup (see `cognito-entra setups`)
    #[arg(long, value_name = "NAME")]
    pub setup: Option<String>,
    /// A setup file (TOML, see docs/configuration.md)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The answers a saved plan carries (`apply --plan FILE` alone), never from the command
    /// line itself.
    #[arg(skip)]
    pub answers: Option<Box<cognito_entra::setup::Setup>>,
}

/// A setup to check against, when the command can also work without one.
#[derive(Debug, Clone, Args)]
#[group(required = false, multiple = false)]
pub struct OptionalSource {
    /// A saved setup (see `cognito-entra setups`)
    #[arg(long, value_name = "NAME")]
    pub setup: Option<String>,
    /// A setup file (TOML, see docs/configuration.md)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl OptionalSource {
    pub fn to_source(&self) -> Source {
        Source {
            setup: self.setup.clone(),
            config: self.config.clone(),
            answers: None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the full-screen wizard
    Wizard {
        /// Open this saved setup
        #[arg(long, value_name = "NAME")]
        setup: Option<String>,
        /// Line prompts instead of the full screen (screen readers, logs, dumb terminals)
        #[arg(long)]
        plain: bool,
    },
    /// List saved setups and their progress
    Setups,
    /// Show where a saved setup stands
    Status {
        #[arg(long, value_name = "NAME")]
        setup: Option<String>,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Print every value Entra needs (Entity ID, Reply URL, ...)
    Values {
        #[command(flatten)]
        source: Source,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
        /// Also put this value on the clipboard (e.g. reply_url)
        #[arg(long, value_name = "KEY")]
        copy: Option<String>,
    },
    /// Show what apply would change in AWS
    Plan {
        #[command(flatten)]
        source: OptionalSource,
        /// Every saved setup: one plan, grouped by setup (customers on a shared pool)
        #[arg(long, conflicts_with_all = ["setup", "config", "out"])]
        all: bool,
        /// Print the changes as JSON (with --all: {"setups": [...], "summary": {...}}, each
        /// entry its setup, outcome and plan)
        #[arg(long)]
        json: bool,
        /// Also save the plan to FILE, for `apply --plan FILE` (no secret in it)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Take COGNITO and other providers off the client (IdP-initiated SAML needs it)
        #[arg(long)]
        remove_other_providers: bool,
        /// Who does the Entra side [default: the setup's [entra] mode, else manual]
        #[arg(long, value_enum)]
        entra: Option<EntraArg>,
    },
    /// Make the Cognito side so, then write the certificates Entra wants
    Apply {
        /// The setup: a saved one or a setup file; not needed with --plan, whose file names
        /// its setup and carries its answers
        #[command(flatten)]
        source: OptionalSource,
        /// Every saved setup: one plan shown, asked once, then applied setup by setup
        #[arg(long, conflicts_with_all = ["setup", "config", "out", "plan"])]
        all: bool,
        /// Do not ask before applying
        #[arg(long)]
        yes: bool,
        /// Who does the Entra side [default: the setup's [entra] mode, else manual]
        #[arg(long, value_enum)]
        entra: Option<EntraArg>,
        /// Take COGNITO and other providers off the client (IdP-initiated SAML needs it)
        #[arg(long)]
        remove_other_providers: bool,
        /// Folder for the certificate files Entra needs [default: the setup's folder in the
        /// state directory]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Apply exactly this saved plan (from `plan --out`); refused, with nothing written, when
        /// the account or the setup changed since
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
    },
    /// Hand a customer's Entra admin a kit: save the setup as waiting for them and write
    /// NAME.kit.toml and NAME.html (one self-contained page) into DIR
    Handoff {
        #[command(flatten)]
        source: Source,
        /// Folder the kit and its page are written to
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Take a customer's reply to a kit: check it on the spot and record it; `apply` then
    /// makes the provider
    Accept {
        /// The saved setup the kit was handed over for
        #[arg(long, value_name = "NAME")]
        setup: String,
        /// The reply file the customer's admin sent (NAME.reply.toml)
        #[arg(long, value_name = "FILE")]
        reply: PathBuf,
    },
    /// For a customer's Entra admin: make the Entra application a kit asks for in your own
    /// tenant — through Microsoft Graph, or by hand in the portal, walked through
    /// (--entra manual) — and write the reply to send back. Needs nothing of AWS
    EntraSide {
        /// The kit you were sent (NAME.kit.toml)
        #[arg(long, value_name = "FILE")]
        kit: PathBuf,
        /// Where the reply is written [default: NAME.reply.toml beside the kit]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Users (user principal name) or groups (display name) to assign, besides any the
        /// kit names (repeat, or comma-separated)
        #[arg(long, value_name = "WHO", value_delimiter = ',')]
        assign: Vec<String>,
        /// Do not ask before making the changes shown
        #[arg(long)]
        yes: bool,
        /// Who makes the application: graph (the tool, through Microsoft Graph; the default)
        /// or manual (you, in the portal, walked through the kit's pages; the reply is written
        /// from what you paste, checked first) — for tenants that allow no tool
        #[arg(long, value_enum)]
        entra: Option<EntraArg>,
        /// With --entra manual: line prompts instead of full screens
        #[arg(long)]
        plain: bool,
    },
    /// Fetch and check Entra's SAML federation metadata (a URL or a file)
    CheckMetadata {
        /// The App Federation Metadata Url, or the downloaded XML file
        #[arg(value_name = "URL|FILE")]
        source: String,
        #[arg(long)]
        json: bool,
    },
    /// Read a captured SAML response (value, XML or HAR) and check it against the setup
    DecodeSaml {
        /// The SAMLResponse value, the XML, or a HAR file; - for stdin
        #[arg(value_name = "FILE|-")]
        file: Option<PathBuf>,
        #[command(flatten)]
        source: OptionalSource,
        #[arg(long)]
        json: bool,
    },
    /// Take down what a setup created in Cognito (never what it adopted): shows the plan, asks
    /// once; run again to finish an interrupted one
    Destroy {
        #[command(flatten)]
        source: Source,
        /// Do not ask before removing
        #[arg(long)]
        yes: bool,
    },
    /// Renew a saved setup's OIDC client secret or SAML signing certificate without a gap in
    /// sign-in (through Graph, or guided in the portal): shows the plan in both clouds, asks
    /// once; run again to finish a stopped one
    Rotate {
        /// The saved setup (see `cognito-entra setups`)
        #[arg(long, value_name = "NAME")]
        setup: String,
        /// Who does the Entra side [default: the setup's [entra] mode, else manual]
        #[arg(long, value_enum)]
        entra: Option<EntraArg>,
        /// Do not ask before changing
        #[arg(long)]
        yes: bool,
        /// Show what would change; change nothing
        #[arg(long)]
        dry_run: bool,
        /// SAML: remove the old signing certificates once Cognito has the new one (default:
        /// they stay until they expire)
        #[arg(long)]
        remove_old: bool,
        /// OIDC by hand: the new secret's Expires date as the portal shows it (YYYY-MM-DD),
        /// recorded so doctor warns before it; with the secret Cognito holds already, only
        /// the date is recorded
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_secret_expiry)]
        secret_expires: Option<time::Date>,
        /// Print what was planned and done as one JSON object (the text goes to stderr)
        #[arg(long)]
        json: bool,
    },
    /// Find the Entra federations in the account (made by hand) and save each as a setup
    Import {
        /// The regions to read (comma-separated: us-east-1,eu-west-1) [default: --region,
        /// else AWS_REGION, else us-east-1]
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        regions: Vec<String>,
        /// Only this user pool
        #[arg(long, value_name = "ID")]
        pool: Option<String>,
        /// Also find each federation's Entra application through Microsoft Graph (signs in)
        #[arg(long, value_enum)]
        entra: Option<EntraArg>,
        /// Save what is found without asking
        #[arg(long)]
        yes: bool,
        /// Print one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Check a live setup: drift, the provider on the client, certificates, secret expiry
    Doctor {
        #[arg(long, value_name = "NAME", conflicts_with = "all")]
        setup: Option<String>,
        /// Every saved setup at once: a table (or one JSON object); exit 1 when any fails
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
        /// Warn of what expires within this many days
        #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(i64).range(0..=3650))]
        within: i64,
        /// With --all: print only the setups that fail (and the summary line)
        #[arg(long, requires = "all")]
        quiet: bool,
        /// Also read the Entra application through Microsoft Graph (signs in) and compare it
        /// with what Cognito needs
        #[arg(long, value_enum, conflicts_with = "all")]
        entra: Option<EntraArg>,
    },
    /// The setup as code: CloudFormation, Terraform, .env or JSON
    Export {
        #[command(flatten)]
        source: Source,
        /// cloudformation, terraform, env or json
        #[arg(long, value_name = "FORMAT")]
        format: String,
    },
    /// Fetch and check the OIDC discovery document of an Entra tenant
    CheckTenant {
        /// Directory (tenant) ID, or a verified domain
        #[arg(value_name = "TENANT")]
        tenant: String,
        #[arg(long)]
        json: bool,
    },
}

impl Command {
    /// Whether the command was asked for JSON: then its output is one JSON object on stdout,
    /// success or failure.
    pub fn json(&self) -> bool {
        match self {
            Command::Status { json, .. }
            | Command::Values { json, .. }
            | Command::Plan { json, .. }
            | Command::CheckMetadata { json, .. }
            | Command::DecodeSaml { json, .. }
            | Command::Doctor { json, .. }
            | Command::Import { json, .. }
            | Command::CheckTenant { json, .. } => *json,
            _ => false,
        }
    }
}

/// `--secret-expires`: a day of the calendar, not past, judged as the wizard judges the
/// same answer.
fn parse_secret_expiry(text: &str) -> Result<time::Date, String> {
    use cognito_entra::setup::answers::{Answer, check};
    if let Some(problem) = check(Answer::SecretExpiry(text)) {
        return Err(problem);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).map_err(|_| {
        "write the date as YYYY-MM-DD (the Expires column in Certificates & secrets)".into()
    })
}

/// `--cognito-quotas`: the account's raised quotas, checked as given.
fn parse_quotas(text: &str) -> Result<cognito_entra::rate::Quotas, String> {
    cognito_entra::rate::Quotas::parse(text)
}
