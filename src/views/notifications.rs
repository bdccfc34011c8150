//! Settings > Notifications: when the expiry run is, which lead times it tells,
//! and whether mail goes out.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use crate::domain::validation::FieldErrors;

#[derive(Template, WebTemplate)]
#[template(path = "settings/notifications.html")]
pub struct NotificationsPage {
    pub layout: Layout,
    pub lead_days: String,
    pub run_hour: String,
    pub errors: FieldErrors,
    /// The sender, when mail is set up.
    pub mail_from: Option<String>,
    /// Where a test mail goes: the administrator's own address.
    pub own_address: String,
}

impl NotificationsPage {
    pub fn hours(&self) -> Vec<(String, bool)> {
        (0..24)
            .map(|h| {
                (
                    format!("{h:02}"),
                    self.run_hour.trim().parse::<u8>() == Ok(h),
                )
            })
            .collect()
    }
}
