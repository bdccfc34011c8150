//! `/settings/api-tokens/bulk`: one action on the rows checked in the list, or on
//! every token its filters match. The bar's form asks first (the confirmation
//! names how many tokens and which are skipped); the confirmation's form acts, and
//! its result has a page of its own.

use actix_session::Session;
use actix_web::{Either, HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::see_other;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::DbError;
use crate::db::bulk_actions;
use crate::domain::ids::Guid;
use crate::domain::token_list::ListQuery;
use crate::domain::tokens::{BulkAction, Finding};
use crate::http::AppError;
use crate::services::tokens::{self, BulkItem, BulkOutcome, Selection};
use crate::state::AppState;
use crate::urls;
use crate::views::tokens::bulk::{BulkConfirmPage, BulkResultPage, FilterFields};
use crate::views::{Layout, Section};

type Reader = Authorized<perm::TokensRead>;

#[derive(Debug, Deserialize)]
pub struct BulkForm {
    /// `rows` (the checked rows), `all` (every token the filters match) or
    /// `finding` (every token of a health finding, of `finding_scope` if given).
    #[serde(default)]
    select: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    finding_days: String,
    #[serde(default)]
    finding_scope: String,
    #[serde(default)]
    bulk_action: String,
    #[serde(default)]
    bulk_days: String,
    #[serde(default)]
    bulk_scope: String,
    #[serde(default)]
    tokens: Vec<String>,
    #[serde(flatten)]
    list: ListQuery,
    #[serde(default)]
    confirm: String,
}

impl BulkForm {
    /// The fields the confirmation sends again.
    fn fields(&self) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = [
            ("select", &self.select),
            ("bulk_action", &self.bulk_action),
            ("bulk_days", &self.bulk_days),
            ("bulk_scope", &self.bulk_scope),
            ("finding", &self.finding),
            ("finding_days", &self.finding_days),
            ("finding_scope", &self.finding_scope),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
        fields.extend(self.tokens.iter().map(|g| ("tokens".to_owned(), g.clone())));
        let filter = FilterFields::of(&self.list.filter());
        fields.extend(filter.0.into_iter().map(|(k, v)| (k.to_owned(), v)));
        fields
    }

    /// The page the form came from: the list with its filters, or a finding.
    fn back(&self) -> String {
        if self.select == "finding" {
            let days = self.finding_days.parse().unwrap_or(30);
            return urls::health(&self.finding, days, self.finding_scope.parse().ok());
        }
        let query = self.list.filter().query_string(&[]);
        if query.is_empty() {
            urls::TOKENS.to_owned()
        } else {
            format!("{}?{query}", urls::TOKENS)
        }
    }
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Reader,
    CsrfForm(form): CsrfForm<BulkForm>,
) -> Result<Either<BulkConfirmPage, HttpResponse>, AppError> {
    let back = form.back();
    let refuse = |message: &str| {
        session::flash(&session, FlashKind::Error, message.to_owned());
        Ok(Either::Right(see_other(&back)))
    };
    let scope = form.bulk_scope.parse().ok();
    let action = match BulkAction::parse(&form.bulk_action, form.bulk_days.parse().ok(), scope) {
        Ok(action) => action,
        Err(message) => return refuse(message),
    };
    let finding = Finding::from_key(&form.finding, form.finding_days.parse().ok());
    let selection = if form.select == "all" {
        Selection::Filter(form.list.filter())
    } else if let (true, Some(finding)) = (form.select == "finding", finding) {
        Selection::Finding(finding, form.finding_scope.parse().ok())
    } else {
        let guids: Vec<Guid> = form.tokens.iter().filter_map(|g| Guid::parse(g)).collect();
        if guids.is_empty() {
            return refuse(
                "Check the tokens to act on, or choose all the tokens the filters match.",
            );
        }
        Selection::Guids(guids)
    };
    let caller = admin.caller(&req);
    if form.confirm != "yes" {
        let preview = tokens::preview_bulk(state.services(), &caller, action, selection).await?;
        let layout = Layout::page(&req, Some(&admin), "Act on tokens", Section::ApiTokens);
        let page = BulkConfirmPage::new(layout, action, preview, form.fields(), back);
        return Ok(Either::Left(page));
    }
    match tokens::apply_bulk(state.services(), &caller, action, selection, None).await? {
        BulkOutcome::Applied(result) | BulkOutcome::Replayed(result) => {
            let batch = result.batch_id.unwrap_or_default();
            Ok(Either::Right(see_other(&urls::bulk_result(&batch))))
        }
    }
}

/// What an action of the administrator's did.
pub async fn result(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Reader,
    batch: web::Path<String>,
) -> Result<BulkResultPage, AppError> {
    let batch = batch.into_inner();
    let wanted = batch.clone();
    let record = state
        .db
        .run(move |c| Ok::<_, DbError>(bulk_actions::find(c, &wanted)?))
        .await?
        .filter(|r| r.actor_id == Some(admin.admin.admin.id))
        .ok_or(AppError::NotFound)?;
    let items: Vec<BulkItem> = serde_json::from_str(&record.results).unwrap_or_default();
    let layout = Layout::page(&req, Some(&admin), "Bulk action", Section::ApiTokens);
    Ok(BulkResultPage::new(
        layout,
        record.action,
        &items,
        urls::audit_batch(&batch),
    ))
}
