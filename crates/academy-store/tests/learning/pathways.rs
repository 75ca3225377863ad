//! Pathways with their items, members and completions, and cohorts.

use crate::support::{at, course, on_both, org, person, t0};
use academy_core::OrgKind;
use academy_core::learning::{ItemKind, PdHours};
use academy_store::catalog::ItemStatus;
use academy_store::pathways::{self, Cohort, CohortRole, NewPathway, Pathway};
use academy_store::{Store, StoreError, progress};

on_both!(pathways_track_items_and_completions, cohorts_show_their_members_progress);

fn new_pathway(slug: &str, title: &str, items: Vec<(i64, bool)>) -> NewPathway {
    NewPathway {
        slug: slug.into(),
        title: title.into(),
        summary: String::new(),
        description_md: String::new(),
        criteria_md: String::new(),
        optional_required: 0,
        status: ItemStatus::Published,
        items,
        owner_org_id: None,
    }
}

async fn add_pathway(store: &Store, new: &NewPathway) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let id = pathways::create(&mut tx, new, None, t0()).await.expect("create pathway");
    tx.commit().await.expect("commit");
    id
}

/// Enrolls `user` in `item` and completes it at `minute` with `tenths` PD hours.
async fn complete(store: &Store, user: i64, item: i64, tenths: i64, minute: i64) {
    let mut tx = store.begin().await.expect("begin");
    let (enrollment, _) = progress::enroll(&mut tx, user, item, None, t0()).await.expect("enroll");
    progress::complete_enrollment(&mut tx, enrollment.id, PdHours::from_tenths(tenths), at(minute))
        .await
        .expect("complete");
    tx.commit().await.expect("commit");
}

async fn pathways_track_items_and_completions(store: Store) {
    let ada = person(&store, "Ada").await;
    let ben = person(&store, "Ben").await;
    let (prompting, _) = course(&store, "prompting", 10, &["a.md"]).await;
    let (feedback, _) = course(&store, "feedback", 20, &["a.md"]).await;
    let (ethics, _) = course(&store, "ethics", 30, &["a.md"]).await;
    let (unrelated, _) = course(&store, "unrelated", 40, &["a.md"]).await;

    let new = NewPathway {
        summary: "Three courses.".into(),
        description_md: "Use AI in class.".into(),
        criteria_md: "Completed the required courses and one more.".into(),
        optional_required: 1,
        ..new_pathway("classroom-ai", "Classroom AI", vec![(feedback, true), (prompting, true), (ethics, false)])
    };
    let id = add_pathway(&store, &new).await;
    let expected = Pathway {
        id,
        slug: "classroom-ai".into(),
        title: "Classroom AI".into(),
        summary: "Three courses.".into(),
        description_md: "Use AI in class.".into(),
        criteria_md: "Completed the required courses and one more.".into(),
        optional_required: 1,
        status: ItemStatus::Published,
        owner_org_id: None,
    };
    assert_eq!(pathways::get(&store, id).await.expect("get"), Some(expected.clone()));
    assert_eq!(pathways::by_slug(&store, "classroom-ai").await.expect("by slug"), Some(expected.clone()));
    assert_eq!(pathways::by_slug(&store, "classroom").await.expect("by slug"), None);
    let items: Vec<_> = pathways::items(&store, id)
        .await
        .expect("items")
        .into_iter()
        .map(|i| (i.item_id, i.required, i.position, i.slug, i.title, i.kind, i.pd_hours_tenths))
        .collect();
    assert_eq!(
        items,
        [
            (feedback, true, 1, "feedback".into(), "feedback".into(), ItemKind::Course, 20),
            (prompting, true, 2, "prompting".into(), "prompting".into(), ItemKind::Course, 10),
            (ethics, false, 3, "ethics".into(), "ethics".into(), ItemKind::Course, 30),
        ]
    );

    let mut tx = store.begin().await.expect("begin");
    let err = pathways::create(&mut tx, &new_pathway("classroom-ai", "Again", vec![]), None, t0())
        .await
        .expect_err("a taken slug");
    assert!(matches!(&err, StoreError::Conflict { field } if field == "slug"), "{err:?}");
    drop(tx);
    let mut tx = store.begin().await.expect("begin");
    let twice = new_pathway("twice", "Twice", vec![(prompting, true), (prompting, false)]);
    let err = pathways::create(&mut tx, &twice, None, t0()).await.expect_err("an item twice");
    assert!(matches!(&err, StoreError::Conflict { field } if field == "pathway_id_item_id"), "{err:?}");
    drop(tx);

    let revised = NewPathway {
        slug: "ignored".into(),
        title: "Classroom AI, revised".into(),
        optional_required: 0,
        items: vec![(prompting, true), (ethics, true)],
        ..new.clone()
    };
    let mut tx = store.begin().await.expect("begin");
    pathways::update(&mut tx, id, &revised, at(1)).await.expect("update");
    tx.commit().await.expect("commit");
    let expected = Pathway { title: "Classroom AI, revised".into(), optional_required: 0, ..expected };
    assert_eq!(pathways::get(&store, id).await.expect("get"), Some(expected.clone()), "the slug stays");
    let items: Vec<_> = pathways::items(&store, id)
        .await
        .expect("items")
        .into_iter()
        .map(|i| (i.item_id, i.required, i.position))
        .collect();
    assert_eq!(items, [(prompting, true, 1), (ethics, true, 2)]);

    // Listing, and the published pathways an item belongs to, by title.
    let draft =
        NewPathway { status: ItemStatus::Draft, ..new_pathway("draft", "Beta draft", vec![(prompting, false)]) };
    add_pathway(&store, &draft).await;
    let alpha = add_pathway(&store, &new_pathway("alpha", "Alpha", vec![(prompting, true)])).await;
    let listed = |all: Vec<Pathway>| all.into_iter().map(|p| p.title).collect::<Vec<_>>();
    assert_eq!(listed(pathways::list(&store, false).await.expect("list")), ["Alpha", "Classroom AI, revised"]);
    assert_eq!(
        listed(pathways::list(&store, true).await.expect("list")),
        ["Alpha", "Beta draft", "Classroom AI, revised"]
    );
    assert_eq!(pathways::containing(&store, prompting).await.expect("containing"), [alpha, id]);
    assert_eq!(pathways::containing(&store, ethics).await.expect("containing"), [id]);
    assert!(pathways::containing(&store, feedback).await.expect("containing").is_empty(), "no longer in it");

    // Completions.
    complete(&store, ada, prompting, 10, 10).await;
    complete(&store, ada, unrelated, 40, 11).await;
    complete(&store, ada, feedback, 20, 11).await;
    let mut tx = store.begin().await.expect("begin");
    progress::enroll(&mut tx, ada, ethics, None, t0()).await.expect("enroll");
    tx.commit().await.expect("commit");
    assert_eq!(pathways::completed_items(&store, id, ada).await.expect("completed"), [prompting]);
    assert!(pathways::completed_items(&store, id, ben).await.expect("completed").is_empty());
    let mut tx = store.begin().await.expect("begin");
    assert!(pathways::record_completion(&mut tx, id, ada, PdHours::from_tenths(10), at(12)).await.expect("record"));
    assert!(!pathways::record_completion(&mut tx, id, ada, PdHours::from_tenths(99), at(13)).await.expect("again"));
    assert!(pathways::join(&mut tx, alpha, ben, at(14)).await.expect("join"));
    assert!(!pathways::join(&mut tx, alpha, ben, at(15)).await.expect("join again"));
    tx.commit().await.expect("commit");
    assert_eq!(pathways::completion(&store, id, ada).await.expect("completion"), Some((at(12), 10)));
    assert_eq!(pathways::completion(&store, id, ben).await.expect("completion"), None);

    // "My learning": pathways joined, completed, or holding an item one is enrolled in.
    let mine = |store: Store, user: i64| async move {
        pathways::mine(&store, user)
            .await
            .expect("mine")
            .into_iter()
            .map(|p| (p.slug, p.items_total, p.items_done, p.completed_at))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        mine(store.clone(), ada).await,
        [("alpha".into(), 1, 1, None), ("classroom-ai".into(), 2, 1, Some(at(12)))],
        "by title; a draft holding one of the items is not listed"
    );
    assert_eq!(mine(store.clone(), ben).await, [("alpha".into(), 1, 0, None)]);
    let mut tx = store.begin().await.expect("begin");
    let (left, _) = progress::enroll(&mut tx, ben, ethics, None, t0()).await.expect("enroll");
    progress::withdraw(&mut tx, left.id, at(16)).await.expect("withdraw");
    tx.commit().await.expect("commit");
    assert_eq!(mine(store.clone(), ben).await, [("alpha".into(), 1, 0, None)], "a withdrawn item does not count");
}

async fn cohorts_show_their_members_progress(store: Store) {
    let national = org(&store, None, OrgKind::National, "National").await;
    let texas = org(&store, Some(&national), OrgKind::StateFederation, "Texas").await;
    let austin = org(&store, Some(&texas), OrgKind::LocalUnion, "Austin Educators").await;
    let dallas = org(&store, Some(&texas), OrgKind::LocalUnion, "Dallas Educators").await;
    let other = org(&store, Some(&national), OrgKind::StateFederation, "Another Federation").await;
    let elsewhere = org(&store, Some(&other), OrgKind::LocalUnion, "Elsewhere Educators").await;
    let [ada, ben, fran] = [person(&store, "Ada").await, person(&store, "Ben").await, person(&store, "Fran").await];
    let (prompting, _) = course(&store, "prompting", 10, &["a.md"]).await;
    let (feedback, _) = course(&store, "feedback", 25, &["a.md"]).await;
    let (outside, _) = course(&store, "outside", 40, &["a.md"]).await;
    let pathway = add_pathway(&store, &new_pathway("path", "Path", vec![(prompting, true), (feedback, true)])).await;

    let mut tx = store.begin().await.expect("begin");
    let err = pathways::create_cohort(&mut tx, "Nowhere", elsewhere.id + 100, None, (None, None), None, t0())
        .await
        .expect_err("no such organization");
    assert!(matches!(err, StoreError::MissingReference), "{err:?}");
    drop(tx);
    let mut tx = store.begin().await.expect("begin");
    let dates = (Some("2027-01-11".to_owned()), Some("2027-05-28".to_owned()));
    let spring = pathways::create_cohort(&mut tx, "Spring cohort", austin.id, Some(pathway), dates, Some(fran), t0())
        .await
        .expect("cohort");
    let autumn = pathways::create_cohort(&mut tx, "Autumn cohort", dallas.id, None, (None, None), None, t0())
        .await
        .expect("cohort");
    let far = pathways::create_cohort(&mut tx, "Other cohort", elsewhere.id, Some(pathway), (None, None), None, t0())
        .await
        .expect("cohort");
    for (cohort, user, role) in [
        (spring, fran, CohortRole::Facilitator),
        (spring, ben, CohortRole::Member),
        (spring, ada, CohortRole::Member),
        (spring, ben, CohortRole::Facilitator),
        (autumn, ada, CohortRole::Member),
        (far, ada, CohortRole::Member),
    ] {
        pathways::add_cohort_member(&mut tx, cohort, user, role, t0()).await.expect("member");
    }
    tx.commit().await.expect("commit");

    let spring_cohort = pathways::cohort(&store, spring).await.expect("cohort").expect("exists");
    assert_eq!(
        spring_cohort,
        Cohort {
            id: spring,
            name: "Spring cohort".into(),
            org_id: austin.id,
            pathway_id: Some(pathway),
            starts_on: Some("2027-01-11".into()),
            ends_on: Some("2027-05-28".into()),
        }
    );
    assert_eq!(pathways::cohort(&store, far + 100).await.expect("cohort"), None);

    // Progress on the cohort's pathway only: Ada finished one of its items (and another
    // item outside it), Ben both, and Ben's pathway completion is recorded.
    complete(&store, ada, prompting, 10, 10).await;
    complete(&store, ada, outside, 40, 11).await;
    complete(&store, ben, prompting, 10, 12).await;
    complete(&store, ben, feedback, 25, 13).await;
    let mut tx = store.begin().await.expect("begin");
    pathways::record_completion(&mut tx, pathway, ben, PdHours::from_tenths(35), at(14)).await.expect("record");
    tx.commit().await.expect("commit");
    let members: Vec<_> = pathways::cohort_members(&store, &spring_cohort)
        .await
        .expect("members")
        .into_iter()
        .map(|m| (m.display_name, m.email, m.role, m.items_done, m.hours_tenths, m.completed_at))
        .collect();
    assert_eq!(
        members,
        [
            ("Ada".into(), "ada@example.org".into(), CohortRole::Member, 1, 10, None),
            ("Ben".into(), "ben@example.org".into(), CohortRole::Facilitator, 2, 35, Some(at(14))),
            ("Fran".into(), "fran@example.org".into(), CohortRole::Facilitator, 0, 0, None),
        ],
        "members, then facilitators, each by name; adding again changes the role"
    );
    assert_eq!(members.iter().filter(|m| m.0 == "Ben").count(), 1);
    let autumn_cohort = pathways::cohort(&store, autumn).await.expect("cohort").expect("exists");
    let without_pathway: Vec<_> = pathways::cohort_members(&store, &autumn_cohort)
        .await
        .expect("members")
        .into_iter()
        .map(|m| (m.user_id, m.items_done, m.hours_tenths))
        .collect();
    assert_eq!(without_pathway, [(ada, 0, 0)], "no pathway, nothing to count");

    // Cohorts in a subtree, and a person's cohorts, by name.
    let names = |cohorts: Vec<Cohort>| cohorts.into_iter().map(|c| c.name).collect::<Vec<_>>();
    assert_eq!(
        names(pathways::cohorts_within(&store, &texas.path).await.expect("within")),
        ["Autumn cohort", "Spring cohort"]
    );
    assert_eq!(names(pathways::cohorts_within(&store, &austin.path).await.expect("within")), ["Spring cohort"]);
    assert_eq!(
        names(pathways::cohorts_within(&store, &national.path).await.expect("within")),
        ["Autumn cohort", "Other cohort", "Spring cohort"]
    );
    let roles = |list: Vec<(Cohort, CohortRole)>| list.into_iter().map(|(c, r)| (c.name, r)).collect::<Vec<_>>();
    assert_eq!(
        roles(pathways::cohorts_of(&store, ada).await.expect("cohorts")),
        [
            ("Autumn cohort".into(), CohortRole::Member),
            ("Other cohort".into(), CohortRole::Member),
            ("Spring cohort".into(), CohortRole::Member)
        ]
    );
    assert_eq!(
        roles(pathways::cohorts_of(&store, ben).await.expect("cohorts")),
        [("Spring cohort".into(), CohortRole::Facilitator)]
    );
}
