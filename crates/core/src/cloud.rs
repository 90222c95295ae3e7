//! The Microsoft clouds Entra runs in: each has its own sign-in host, its own Microsoft Graph
//! and its own non-gallery application template. Sources: "Microsoft Graph national cloud
//! deployments" (learn.microsoft.com/graph/deployments: the Entra and Graph root endpoints),
//! "Access national cloud deployments with the Microsoft Graph SDKs" (a scope naming Graph
//! must use the national Graph's host) and "applicationTemplate: instantiate" (the
//! non-gallery template ID of each cloud).

use std::fmt;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Cloud {
    /// The global service.
    #[default]
    Global,
    /// Microsoft Cloud for US Government (GCC High, DoD).
    UsGov,
    /// Microsoft Azure operated by 21Vianet in China.
    China,
}

impl Cloud {
    /// Where admins sign in (the Microsoft Entra ID endpoint).
    pub fn authority(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGov => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// Microsoft Graph's service root; scopes name their permissions under it.
    pub fn graph_root(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGov => "https://graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The Azure portal of this cloud: each national cloud has its own, and an admin of a
    /// tenant there signs in to that one only ("National clouds", App registration endpoints).
    pub fn portal(self) -> &'static str {
        match self {
            Cloud::Global => "https://portal.azure.com",
            Cloud::UsGov => "https://portal.azure.us",
            Cloud::China => "https://portal.azure.cn",
        }
    }

    /// The cloud's name as Microsoft writes it, for sentences.
    pub fn label(self) -> &'static str {
        match self {
            Cloud::Global => "the global Azure cloud",
            Cloud::UsGov => "Azure Government (US)",
            Cloud::China => "Azure operated by 21Vianet (China)",
        }
    }

    /// The cloud whose sign-in host `host` is, when it is one of Entra's (each cloud's
    /// current host and the older names documents still carry).
    pub fn of_sign_in_host(host: &str) -> Option<Cloud> {
        match host.to_ascii_lowercase().as_str() {
            "login.microsoftonline.com" | "login.windows.net" => Some(Cloud::Global),
            "login.microsoftonline.us" => Some(Cloud::UsGov),
            "login.chinacloudapi.cn" | "login.partner.microsoftonline.cn" => Some(Cloud::China),
            _ => None,
        }
    }

    /// The non-gallery application template ("Create your own application").
    pub fn non_gallery_template(self) -> &'static str {
        match self {
            Cloud::Global => "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
            Cloud::UsGov => "4602d0b4-76bb-404b-bca9-2652e1a39c6d",
            Cloud::China => "5a532e38-1581-4918-9658-008dc27c1d68",
        }
    }

    /// A cloud by the name `--cloud`, `[entra] cloud` and COGNITO_ENTRA_CLOUD take.
    pub fn from_name(name: &str) -> Option<Cloud> {
        match name.trim().to_ascii_lowercase().as_str() {
            "global" | "public" => Some(Cloud::Global),
            "usgov" => Some(Cloud::UsGov),
            "china" => Some(Cloud::China),
            _ => None,
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cloud::Global => "global",
            Cloud::UsGov => "usgov",
            Cloud::China => "china",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cloud_has_its_own_hosts_and_template() {
        let all = [Cloud::Global, Cloud::UsGov, Cloud::China];
        for a in all {
            assert_eq!(Cloud::from_name(&a.to_string()), Some(a));
            for b in all.into_iter().filter(|b| *b != a) {
                assert_ne!(a.authority(), b.authority());
                assert_ne!(a.graph_root(), b.graph_root());
                assert_ne!(a.non_gallery_template(), b.non_gallery_template());
            }
        }
        assert_eq!(Cloud::from_name("mars"), None);
    }
}
