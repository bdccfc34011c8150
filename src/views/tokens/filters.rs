//! The list's filter bar: one search box for names and GUIDs, each filter a chip
//! whose words say what it is set to, and the set ones again as removable chips.

use crate::domain::ids::AdministratorId;
use crate::domain::token_list::{
    ExpiringWithin, SortDirection, SortKey, StatusFilter, TokenFilter, UnusedFor,
};
use crate::domain::tokens::TokenStatus;

#[derive(Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One filter as a drop-down chip: its field, its name for screen readers, and
/// choices that read whole ("Status: Revoked"); the first is "not filtered".
pub struct ChipSelect {
    pub name: &'static str,
    pub label: &'static str,
    pub choices: Vec<Choice>,
}

impl ChipSelect {
    fn new(name: &'static str, label: &'static str, unset: &str) -> Self {
        Self {
            name,
            label,
            choices: vec![Choice {
                value: String::new(),
                label: unset.to_owned(),
                selected: true,
            }],
        }
    }

    fn choice(mut self, value: String, label: String, selected: bool) -> Self {
        if selected {
            self.choices[0].selected = false;
        }
        self.choices.push(Choice {
            value,
            label,
            selected,
        });
        self
    }

    /// The choice made, unless it is "not filtered".
    pub fn set(&self) -> Option<&Choice> {
        self.choices
            .iter()
            .find(|c| c.selected && !c.value.is_empty())
    }
}

/// A filter in force, with the list's address without it.
pub struct ActiveFilter {
    pub label: String,
    pub remove_href: String,
}

/// The names the chips offer; no creators on a list of one administrator's tokens.
pub struct FilterNames {
    pub scopes: Vec<(i64, String)>,
    pub modules: Vec<(i64, String)>,
    pub creators: Option<Vec<(i64, String)>>,
}

pub struct FilterBar {
    pub search: String,
    pub chips: Vec<ChipSelect>,
    /// For a phone, where the cards have no column headers to sort by.
    pub sorts: Vec<Choice>,
    pub directions: Vec<Choice>,
    pub active: Vec<ActiveFilter>,
}

impl FilterBar {
    /// `typed`: the search box's text as it came, shown back as typed.
    pub fn new(filter: &TokenFilter, typed: &str, base_path: &str, names: FilterNames) -> Self {
        let named = |chip: ChipSelect, list: &[(i64, String)], current: Option<i64>, prefix| {
            list.iter().fold(chip, |chip, (id, name)| {
                chip.choice(
                    id.to_string(),
                    format!("{prefix}{name}"),
                    current == Some(*id),
                )
            })
        };
        let mut chips = vec![
            status_chip(filter.status),
            named(
                ChipSelect::new("scope", "Scope", "All scopes"),
                &names.scopes,
                filter.scope_id,
                "Scope: ",
            ),
            ExpiringWithin::all().fold(
                ChipSelect::new("expiring", "Expiry", "Any expiry"),
                |chip, window| {
                    chip.choice(
                        window.days().to_string(),
                        format!("Expires within {}", window.label()),
                        filter.expiring == Some(window),
                    )
                },
            ),
            named(
                ChipSelect::new("module", "Module", "All modules"),
                &names.modules,
                filter.module_id,
                "Module: ",
            ),
        ];
        if let Some(creators) = &names.creators {
            chips.push(named(
                ChipSelect::new("creator", "Created by", "Any creator"),
                creators,
                filter.created_by.map(|a| a.0),
                "Created by: ",
            ));
        }
        chips.push(UnusedFor::all().fold(
            ChipSelect::new("unused", "Use", "Used or not"),
            |chip, unused| {
                chip.choice(
                    unused.days().to_string(),
                    format!("Unused for {} days", unused.days()),
                    filter.unused == Some(unused),
                )
            },
        ));
        let search = match typed.trim() {
            "" => filter.search_text(),
            typed => typed.to_owned(),
        };
        let without = |field: &str| {
            let mut rest = filter.clone();
            match field {
                "q" => (rest.keywords, rest.guid) = (Vec::new(), None),
                "status" => rest.status = StatusFilter::AllButDeleted,
                "scope" => rest.scope_id = None,
                "expiring" => rest.expiring = None,
                "module" => rest.module_id = None,
                "creator" => rest.created_by = None::<AdministratorId>,
                _ => rest.unused = None,
            }
            format!("{base_path}?{}", rest.query_string(&[]))
        };
        let mut active: Vec<ActiveFilter> = Vec::new();
        if !search.is_empty() || filter.guid.is_some() {
            let shown = filter.guid.clone().filter(|_| search.is_empty());
            active.push(ActiveFilter {
                label: format!("Search: {}", shown.unwrap_or_else(|| search.clone())),
                remove_href: without("q"),
            });
        }
        active.extend(chips.iter().filter_map(|chip| {
            chip.set().map(|choice| ActiveFilter {
                label: choice.label.clone(),
                remove_href: without(chip.name),
            })
        }));
        let (sorts, directions) = sort_choices(filter);
        Self {
            search,
            chips,
            sorts,
            directions,
            active,
        }
    }
}

fn status_chip(current: StatusFilter) -> ChipSelect {
    let mut chip = ChipSelect::new("status", "Status", "All statuses");
    let mut statuses = vec![
        (StatusFilter::Is(TokenStatus::Active), "Active"),
        (StatusFilter::Inactive, "Inactive"),
    ];
    statuses.extend(
        TokenStatus::ALL
            .into_iter()
            .filter(|s| *s != TokenStatus::Active)
            .map(|s| (StatusFilter::Is(s), s.label())),
    );
    for (status, label) in statuses {
        chip = chip.choice(
            status.key().to_owned(),
            format!("Status: {label}"),
            status == current,
        );
    }
    chip
}

fn sort_choices(filter: &TokenFilter) -> (Vec<Choice>, Vec<Choice>) {
    let sorts = SortKey::ALL
        .iter()
        .map(|s| Choice {
            value: s.key().into(),
            label: s.label().into(),
            selected: *s == filter.sort,
        })
        .collect();
    let directions = [
        (SortDirection::Asc, "Ascending"),
        (SortDirection::Desc, "Descending"),
    ]
    .into_iter()
    .map(|(direction, label)| Choice {
        value: direction.key().into(),
        label: label.into(),
        selected: direction == filter.direction,
    })
    .collect();
    (sorts, directions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> FilterNames {
        FilterNames {
            scopes: vec![(4, "Production".into())],
            modules: vec![(2, "Orders".into())],
            creators: Some(vec![(9, "Ada Admin".into())]),
        }
    }

    #[test]
    fn each_set_filter_is_a_chip_that_removes_itself_alone() {
        let filter = TokenFilter {
            status: StatusFilter::Is(TokenStatus::Revoked),
            scope_id: Some(4),
            module_id: Some(2),
            created_by: Some(AdministratorId(9)),
            keywords: vec!["billing".into()],
            ..TokenFilter::default()
        };
        let bar = FilterBar::new(&filter, "Billing", "/t", names());
        let labels: Vec<&str> = bar.active.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Search: Billing",
                "Status: Revoked",
                "Scope: Production",
                "Module: Orders",
                "Created by: Ada Admin"
            ]
        );
        let scope_removed = &bar.active[2].remove_href;
        assert!(scope_removed.starts_with("/t?q=billing&status=revoked"));
        assert!(!scope_removed.contains("scope=") && scope_removed.contains("module=2"));
        assert_eq!(bar.chips.len(), 6);
        assert_eq!(bar.chips[0].choices[0].label, "All statuses");
        assert!(!bar.chips[0].choices[0].selected);
    }

    #[test]
    fn a_list_of_ones_own_tokens_has_no_creator_chip_and_nothing_set() {
        let bar = FilterBar::new(
            &TokenFilter::default(),
            "",
            "/t",
            FilterNames {
                creators: None,
                ..names()
            },
        );
        assert!(bar.active.is_empty());
        assert!(
            bar.chips
                .iter()
                .all(|c| c.name != "creator" && c.set().is_none())
        );
    }
}
