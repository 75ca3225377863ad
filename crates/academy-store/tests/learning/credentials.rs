//! Issuer keys, revocation status lists and issued credentials.

use crate::support::{at, course, on_both, person, t0};
use academy_store::catalog::ItemStatus;
use academy_store::credentials::{self, NewCredential};
use academy_store::pathways::{self, NewPathway};
use academy_store::{Store, StoreError};
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

on_both!(
    issuer_keys_rotate_and_their_lock_serializes,
    status_lists_hand_out_each_index_once,
    credentials_are_issued_once_and_revoked_once,
);

async fn issuer_keys_rotate_and_their_lock_serializes(store: Store) {
    assert!(credentials::active_key(&store).await.expect("active").is_none());
    assert!(credentials::keys(&store).await.expect("keys").is_empty());

    // Two servers start together; each makes the first key only when there is none. The lock
    // makes the second wait for the first, and then find its key.
    let mut first = store.begin().await.expect("begin");
    credentials::lock_issuer_keys(&mut first).await.expect("lock");
    assert!(credentials::active_key(&mut first).await.expect("active").is_none());
    let k1 = credentials::insert_key(&mut first, "did:web:a.example", "did:web:a.example#k1", "z6Mk1", "s1", t0())
        .await
        .expect("key");
    let second = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.expect("begin");
            credentials::lock_issuer_keys(&mut tx).await.expect("lock");
            let found = credentials::active_key(&mut tx).await.expect("active").map(|k| k.id);
            tx.commit().await.expect("commit");
            found
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "the second server waits for the first");
    first.commit().await.expect("commit");
    assert_eq!(second.await.expect("second"), Some(k1));

    let mut tx = store.begin().await.expect("begin");
    let k2 = credentials::insert_key(&mut tx, "did:web:a.example", "did:web:a.example#k2", "z6Mk2", "s2", at(1))
        .await
        .expect("key");
    tx.commit().await.expect("commit");
    let active = credentials::active_key(&store).await.expect("active").expect("a key");
    assert_eq!(
        (
            active.id,
            active.did.as_str(),
            active.verification_method.as_str(),
            active.public_key.as_str(),
            active.secret_key.as_str()
        ),
        (k2, "did:web:a.example", "did:web:a.example#k2", "z6Mk2", "s2")
    );
    let all: Vec<(i64, String)> =
        credentials::keys(&store).await.expect("keys").into_iter().map(|k| (k.id, k.verification_method)).collect();
    assert_eq!(
        all,
        [(k1, "did:web:a.example#k1".to_owned()), (k2, "did:web:a.example#k2".to_owned())],
        "old keys stay"
    );
}

async fn status_lists_hand_out_each_index_once(store: Store) {
    const SIZE: i64 = 8;
    const WORKERS: usize = 4;
    const EACH: usize = 10;
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for _ in 0..EACH {
                let mut tx = store.begin().await.expect("begin");
                mine.push(credentials::allocate_index(&mut tx, SIZE, "AAAA", t0()).await.expect("allocate"));
                tx.commit().await.expect("commit");
            }
            mine
        }));
    }
    let mut handed = Vec::new();
    for worker in workers {
        handed.extend(worker.await.expect("worker"));
    }
    let unique: HashSet<(i64, i64)> = handed.iter().copied().collect();
    assert_eq!((handed.len(), unique.len()), (WORKERS * EACH, WORKERS * EACH), "no index handed out twice");
    assert!(handed.iter().all(|&(_, index)| (0..SIZE).contains(&index)), "{handed:?}");
    let mut per_list: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (list, index) in handed {
        per_list.entry(list).or_default().push(index);
    }
    for (&list, indexes) in &mut per_list {
        indexes.sort_unstable();
        let expected: Vec<i64> = (0..indexes.len() as i64).collect();
        assert_eq!(*indexes, expected, "list {list} hands out its indexes from 0 without gaps");
        let stored = credentials::status_list(&store, list).await.expect("list").expect("exists");
        assert_eq!(
            (stored.purpose.as_str(), stored.size, stored.next_index, stored.bits.as_str(), stored.document.as_deref()),
            ("revocation", SIZE, indexes.len() as i64, "AAAA", None)
        );
        assert_eq!(credentials::status_list_signed(&store, list).await.expect("signed"), Some(false));
    }
    assert!(per_list.len() >= (WORKERS * EACH).div_ceil(SIZE as usize), "{per_list:?}");
    let last = *per_list.keys().last().expect("a list");
    assert_eq!(credentials::status_list(&store, last + 1).await.expect("list").map(|l| l.id), None);
    assert_eq!(credentials::status_list_signed(&store, last + 1).await.expect("signed"), None);

    // Signing a list saves its bits and document.
    let mut tx = store.begin().await.expect("begin");
    let locked = credentials::lock_status_list(&mut tx, last).await.expect("lock").expect("exists");
    assert_eq!(locked.id, last);
    credentials::save_status_list(&mut tx, last, "gAAA", "{\"signed\":true}", at(5)).await.expect("save");
    assert!(credentials::lock_status_list(&mut tx, last + 1).await.expect("lock").is_none());
    tx.commit().await.expect("commit");
    let signed = credentials::status_list(&store, last).await.expect("list").expect("exists");
    assert_eq!(
        (signed.bits.as_str(), signed.document.as_deref(), signed.updated_at),
        ("gAAA", Some("{\"signed\":true}"), at(5))
    );
    assert_eq!(credentials::status_list_signed(&store, last).await.expect("signed"), Some(true));
}

async fn credentials_are_issued_once_and_revoked_once(store: Store) {
    let ada = person(&store, "Ada").await;
    let ben = person(&store, "Ben").await;
    let admin = person(&store, "Admin").await;
    let (item, _) = course(&store, "prompting", 10, &["a.md"]).await;
    let (other_item, _) = course(&store, "feedback", 10, &["a.md"]).await;
    let mut tx = store.begin().await.expect("begin");
    let new = NewPathway {
        slug: "path".into(),
        title: "Path".into(),
        summary: String::new(),
        description_md: String::new(),
        criteria_md: String::new(),
        optional_required: 0,
        status: ItemStatus::Published,
        items: vec![(item, true)],
        owner_org_id: None,
    };
    let pathway = pathways::create(&mut tx, &new, None, t0()).await.expect("pathway");
    let mut slots = Vec::new();
    for _ in 0..5 {
        slots.push(credentials::allocate_index(&mut tx, 100, "AAAA", t0()).await.expect("index"));
    }
    tx.commit().await.expect("commit");
    let credential =
        |id: &'static str, user_id: i64, pathway_id: Option<i64>, item_id: Option<i64>, slot: usize| NewCredential {
            id,
            user_id,
            pathway_id,
            item_id,
            achievement_name: if pathway_id.is_some() { "Path" } else { "Prompting" },
            pd_hours_tenths: 10,
            status_list_id: slots[slot].0,
            status_index: slots[slot].1,
            document: "{\"proof\":\"...\"}",
        };

    let mut tx = store.begin().await.expect("begin");
    assert!(
        credentials::insert(&mut tx, &credential("c-ada-path", ada, Some(pathway), None, 0), at(1)).await.expect("ada")
    );
    assert!(
        !credentials::insert(&mut tx, &credential("c-ada-path-2", ada, Some(pathway), None, 1), at(2))
            .await
            .expect("again"),
        "one credential per earner and pathway"
    );
    assert!(
        credentials::insert(&mut tx, &credential("c-ada-item", ada, None, Some(item), 2), at(3)).await.expect("item")
    );
    assert!(
        !credentials::insert(&mut tx, &credential("c-ada-item-2", ada, None, Some(item), 3), at(4))
            .await
            .expect("again"),
        "one credential per earner and item"
    );
    assert!(
        credentials::insert(&mut tx, &credential("c-ben-path", ben, Some(pathway), None, 4), at(3)).await.expect("ben")
    );
    tx.commit().await.expect("commit");

    assert!(credentials::exists_for(&store, ada, Some(pathway), None).await.expect("exists"));
    assert!(credentials::exists_for(&store, ada, None, Some(item)).await.expect("exists"));
    assert!(!credentials::exists_for(&store, ada, None, Some(other_item)).await.expect("exists"));
    assert!(!credentials::exists_for(&store, ben, None, Some(item)).await.expect("exists"));
    assert!(credentials::get(&store, "c-ada-path-2").await.expect("get").is_none(), "the refused one left nothing");

    let stored = credentials::get(&store, "c-ada-item").await.expect("get").expect("stored");
    assert_eq!(
        stored,
        credentials::Credential {
            id: "c-ada-item".into(),
            user_id: ada,
            pathway_id: None,
            item_id: Some(item),
            achievement_name: "Prompting".into(),
            pd_hours_tenths: 10,
            issued_at: at(3),
            status_list_id: slots[2].0,
            status_index: slots[2].1,
            revoked_at: None,
            revocation_reason: None,
            document: "{\"proof\":\"...\"}".into(),
        }
    );
    let adas: Vec<String> =
        credentials::for_user(&store, ada).await.expect("for user").into_iter().map(|c| c.id).collect();
    assert_eq!(adas, ["c-ada-item", "c-ada-path"], "newest first");
    let listing: Vec<(String, String, String)> =
        credentials::list(&store, 10, 0).await.expect("list").into_iter().map(|c| (c.id, c.holder, c.email)).collect();
    assert_eq!(
        listing,
        [
            ("c-ada-item".into(), "Ada".into(), "ada@example.org".into()),
            ("c-ben-path".into(), "Ben".into(), "ben@example.org".into()),
            ("c-ada-path".into(), "Ada".into(), "ada@example.org".into()),
        ],
        "newest first, the same instant by id"
    );
    let page: Vec<String> = credentials::list(&store, 1, 1).await.expect("page").into_iter().map(|c| c.id).collect();
    assert_eq!(page, ["c-ben-path"]);
    assert_eq!(credentials::count(&store).await.expect("count"), 3);
    assert_eq!(credentials::count_for(&store, Some(pathway), None).await.expect("count"), 2);
    assert_eq!(credentials::count_for(&store, None, Some(item)).await.expect("count"), 1);
    assert_eq!(credentials::count_for(&store, None, Some(other_item)).await.expect("count"), 0);

    let mut tx = store.begin().await.expect("begin");
    assert!(
        credentials::mark_revoked(&mut tx, "c-ben-path", Some(admin), "issued in error", at(10)).await.expect("revoke")
    );
    assert!(!credentials::mark_revoked(&mut tx, "c-ben-path", None, "again", at(11)).await.expect("revoke again"));
    assert!(!credentials::mark_revoked(&mut tx, "no-such-credential", None, "none", at(11)).await.expect("revoke"));
    tx.commit().await.expect("commit");
    let revoked = credentials::get(&store, "c-ben-path").await.expect("get").expect("stored");
    assert_eq!((revoked.revoked_at, revoked.revocation_reason.as_deref()), (Some(at(10)), Some("issued in error")));
    let listed = credentials::list(&store, 10, 0).await.expect("list");
    assert_eq!(listed.iter().map(|c| c.revoked_at).collect::<Vec<_>>(), [None, Some(at(10)), None]);
    assert!(credentials::exists_for(&store, ben, Some(pathway), None).await.expect("exists"), "revoked is still held");

    let mut tx = store.begin().await.expect("begin");
    let err = credentials::insert(&mut tx, &credential("c-nobody", ben + 100, None, Some(other_item), 1), at(5))
        .await
        .expect_err("no such earner");
    assert!(matches!(err, StoreError::MissingReference), "{err:?}");
}
