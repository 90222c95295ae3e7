//! Back from Entra (step 8): the metadata URL (SAML) or the tenant, client ID and secret
//! (OIDC) checked against Entra; usable answers let the step go on.

use cognito_entra::entra::{discovery, metadata};
use cognito_entra::results;

use crate::tui::app::{Cmd, Model};

/// After an Entra check: usable answers are saved and the step may go on.
fn entra_checked(m: &mut Model, checked: results::EntraChecked) -> Vec<Cmd> {
    m.entra_check = checked;
    if m.entra_check.usable {
        m.message = vec!["✓ Usable. Enter to go on.".into()];
        vec![Cmd::Save]
    } else {
        Vec::new()
    }
}

/// The SAML metadata read and judged: recorded; said on the step when it was waited for.
pub fn metadata_checked(m: &mut Model, report: &metadata::Report, awaited: bool) -> Vec<Cmd> {
    let Some(state) = m.state.as_mut() else {
        return Vec::new();
    };
    let checked = results::metadata_checked(state, report, time::OffsetDateTime::now_utc());
    if !awaited {
        return vec![Cmd::Save];
    }
    entra_checked(m, checked)
}

/// The OIDC tenant's discovery read and judged: recorded; said when it was waited for.
pub fn tenant_checked(m: &mut Model, report: &discovery::Report, awaited: bool) -> Vec<Cmd> {
    let Some(state) = m.state.as_mut() else {
        return Vec::new();
    };
    let checked = results::tenant_checked(state, report);
    if !awaited {
        return vec![Cmd::Save];
    }
    entra_checked(m, checked)
}
