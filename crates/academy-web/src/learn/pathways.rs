//! When is a pathway complete: every required item, and at least the pathway's number of
//! optional items. Checked when one of its items is completed, never by a periodic scan.

use crate::jobs::credentials::IssueCredential;
use academy_core::learning::PdHours;
use academy_store::pathways::{self, PathwayItem};
use academy_store::{StoreError, Tx, jobs};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// Whether the completed items satisfy a pathway's rule.
pub fn is_complete(items: &[PathwayItem], optional_required: i64, completed: &HashSet<i64>) -> bool {
    let required_done = items.iter().filter(|i| i.required).all(|i| completed.contains(&i.item_id));
    let optional_done = items.iter().filter(|i| !i.required && completed.contains(&i.item_id)).count() as i64;
    required_done && optional_done >= optional_required
}

/// The PD hours a pathway awards: those of its completed items.
pub fn earned_hours(items: &[PathwayItem], completed: &HashSet<i64>) -> PdHours {
    items.iter().filter(|i| completed.contains(&i.item_id)).map(|i| PdHours::from_tenths(i.pd_hours_tenths)).sum()
}

/// After `item_id` was completed by `user_id`: records each pathway it completes and queues
/// that pathway's credential.
pub async fn check_after_completion(
    tx: &mut Tx,
    user_id: i64,
    item_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for pathway_id in pathways::containing(&mut *tx, item_id).await? {
        let Some(pathway) = pathways::get(&mut *tx, pathway_id).await? else { continue };
        let items = pathways::items(&mut *tx, pathway_id).await?;
        let completed: HashSet<i64> =
            pathways::completed_items(&mut *tx, pathway_id, user_id).await?.into_iter().collect();
        if is_complete(&items, pathway.optional_required, &completed)
            && pathways::record_completion(tx, pathway_id, user_id, earned_hours(&items, &completed), now).await?
        {
            jobs::enqueue(tx, &IssueCredential::for_pathway(user_id, pathway_id), now, now).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use academy_core::learning::ItemKind;

    fn item(id: i64, required: bool, tenths: i64) -> PathwayItem {
        PathwayItem {
            item_id: id,
            required,
            position: id,
            slug: format!("i{id}"),
            title: format!("Item {id}"),
            kind: ItemKind::Course,
            pd_hours_tenths: tenths,
        }
    }

    #[test]
    fn required_items_and_enough_optional_ones() {
        let items = [item(1, true, 15), item(2, true, 10), item(3, false, 10), item(4, false, 5)];
        let done = |ids: &[i64]| ids.iter().copied().collect::<HashSet<i64>>();
        assert!(!is_complete(&items, 1, &done(&[1, 2])), "an optional item is still needed");
        assert!(!is_complete(&items, 1, &done(&[1, 3, 4])), "a required item is missing");
        assert!(is_complete(&items, 1, &done(&[1, 2, 4])));
        assert!(is_complete(&items, 0, &done(&[1, 2])));
        assert_eq!(earned_hours(&items, &done(&[1, 2, 4])), PdHours::from_tenths(30));
    }
}
