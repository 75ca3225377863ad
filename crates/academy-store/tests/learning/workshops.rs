//! Live sessions, registrations and the waitlist, attendance, facilitators and calendar feeds.

use crate::support::{add_item, at, new_item, on_both, org, person, person_at, t0};
use academy_core::OrgKind;
use academy_core::learning::ItemKind;
use academy_store::workshops::{
    self, AttendedVia, LocationKind, NewSession, Registration, RegistrationStatus, Session, SessionStatus,
};
use academy_store::{Store, StoreError};
use chrono::Duration;

on_both!(
    sessions_change_with_their_sequence,
    a_locked_session_serializes_registrations,
    the_waitlist_keeps_its_order,
    attendance_facilitators_and_feeds,
);

/// A virtual session of `item` starting `hours` after [`t0`] and lasting two hours.
fn virtual_session(item_id: i64, hours: i64, capacity: i64) -> NewSession {
    NewSession {
        item_id,
        host_org_id: None,
        starts_at: t0() + Duration::hours(hours),
        ends_at: t0() + Duration::hours(hours + 2),
        time_zone: "America/Chicago".into(),
        capacity,
        location_kind: LocationKind::Virtual,
        hub_name: None,
        hub_address: None,
        meeting_url: Some("https://meet.example.org/ai".into()),
    }
}

async fn create(store: &Store, new: &NewSession) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let id = workshops::create_session(&mut tx, new, None, t0()).await.expect("create session");
    tx.commit().await.expect("commit");
    id
}

async fn register(store: &Store, session: i64, user: i64, status: RegistrationStatus, minute: i64) -> Registration {
    let mut tx = store.begin().await.expect("begin");
    let r = workshops::upsert_registration(&mut tx, session, user, status, at(minute)).await.expect("register");
    tx.commit().await.expect("commit");
    r
}

async fn sessions_change_with_their_sequence(store: Store) {
    let national = org(&store, None, OrgKind::National, "National").await;
    let texas = org(&store, Some(&national), OrgKind::StateFederation, "Texas").await;
    let workshop = add_item(&store, &new_item("live-ai", ItemKind::Workshop)).await;
    let id = create(&store, &virtual_session(workshop, 24, 2)).await;
    let created = workshops::session(&store, id).await.expect("session").expect("exists");
    let expected = Session {
        id,
        item_id: workshop,
        host_org_id: None,
        starts_at: t0() + Duration::hours(24),
        ends_at: t0() + Duration::hours(26),
        time_zone: "America/Chicago".into(),
        capacity: 2,
        location_kind: LocationKind::Virtual,
        hub_name: None,
        hub_address: None,
        meeting_url: Some("https://meet.example.org/ai".into()),
        status: SessionStatus::Scheduled,
        check_in_code: None,
        check_in_expires_at: None,
        sequence: 0,
    };
    assert_eq!(created, expected);

    let moved = NewSession {
        host_org_id: Some(texas.id),
        starts_at: t0() + Duration::hours(48),
        ends_at: t0() + Duration::hours(51),
        time_zone: "America/New_York".into(),
        capacity: 30,
        location_kind: LocationKind::Hub,
        hub_name: Some("Austin Hub".into()),
        hub_address: Some("1 Congress Ave".into()),
        meeting_url: None,
        ..virtual_session(workshop, 0, 1)
    };
    let mut tx = store.begin().await.expect("begin");
    workshops::update_session(&mut tx, id, &moved, at(1)).await.expect("update");
    workshops::set_check_in_code(&mut tx, id, "K7Q2", at(90)).await.expect("code");
    tx.commit().await.expect("commit");
    let updated = workshops::session(&store, id).await.expect("session").expect("exists");
    let expected = Session {
        host_org_id: Some(texas.id),
        starts_at: t0() + Duration::hours(48),
        ends_at: t0() + Duration::hours(51),
        time_zone: "America/New_York".into(),
        capacity: 30,
        location_kind: LocationKind::Hub,
        hub_name: Some("Austin Hub".into()),
        hub_address: Some("1 Congress Ave".into()),
        meeting_url: None,
        check_in_code: Some("K7Q2".into()),
        check_in_expires_at: Some(at(90)),
        sequence: 1,
        ..expected
    };
    assert_eq!(updated, expected, "a change raises the sequence; a check-in code does not");

    let mut tx = store.begin().await.expect("begin");
    assert!(workshops::cancel_session(&mut tx, id, at(2)).await.expect("cancel"));
    assert!(!workshops::cancel_session(&mut tx, id, at(3)).await.expect("cancel again"));
    assert_eq!(workshops::lock_session(&mut tx, id).await.expect("lock").map(|s| s.sequence), Some(2));
    assert_eq!(workshops::lock_session(&mut tx, id + 100).await.expect("lock"), None);
    tx.commit().await.expect("commit");
    let cancelled = workshops::session(&store, id).await.expect("session").expect("exists");
    assert_eq!(cancelled, Session { status: SessionStatus::Cancelled, sequence: 2, ..expected });

    // The table's rules hold on both engines.
    let mut tx = store.begin().await.expect("begin");
    let backwards = NewSession { ends_at: t0(), ..virtual_session(workshop, 1, 5) };
    let err = workshops::create_session(&mut tx, &backwards, None, t0()).await.expect_err("ends before it starts");
    assert!(matches!(err, StoreError::Database(_)), "{err:?}");
    drop(tx);
    let mut tx = store.begin().await.expect("begin");
    let err = workshops::create_session(&mut tx, &virtual_session(workshop + 100, 1, 5), None, t0())
        .await
        .expect_err("no such workshop");
    assert!(matches!(err, StoreError::MissingReference), "{err:?}");
    drop(tx);

    // A workshop's sessions that have not ended, soonest first, cancelled ones included.
    let past = create(&store, &virtual_session(workshop, -5, 10)).await;
    let soon = create(&store, &virtual_session(workshop, 2, 10)).await;
    let ending = create(&store, &virtual_session(workshop, -1, 10)).await;
    let elsewhere = add_item(&store, &new_item("other-workshop", ItemKind::Workshop)).await;
    create(&store, &virtual_session(elsewhere, 3, 10)).await;
    let listed: Vec<(i64, SessionStatus)> = workshops::sessions_for_item(&store, workshop, t0())
        .await
        .expect("sessions")
        .iter()
        .map(|s| (s.session.id, s.session.status))
        .collect();
    assert_eq!(
        listed,
        [(ending, SessionStatus::Scheduled), (soon, SessionStatus::Scheduled), (id, SessionStatus::Cancelled)]
    );
    assert!(listed.iter().all(|(s, _)| *s != past));
}

/// Two people take the last seat at once: the session's lock makes the second wait for the
/// first and count the seat as taken.
async fn a_locked_session_serializes_registrations(store: Store) {
    let ada = person(&store, "Ada").await;
    let ben = person(&store, "Ben").await;
    let workshop = add_item(&store, &new_item("one-seat", ItemKind::Workshop)).await;
    let session = create(&store, &virtual_session(workshop, 24, 1)).await;

    let mut first = store.begin().await.expect("begin");
    let locked = workshops::lock_session(&mut first, session).await.expect("lock").expect("session");
    assert_eq!(workshops::count_registered(&mut first, session).await.expect("count"), 0);
    workshops::upsert_registration(&mut first, session, ada, RegistrationStatus::Registered, at(1))
        .await
        .expect("register");
    let second = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.expect("begin");
            let locked = workshops::lock_session(&mut tx, session).await.expect("lock").expect("session");
            let taken = workshops::count_registered(&mut tx, session).await.expect("count");
            let status =
                if taken < locked.capacity { RegistrationStatus::Registered } else { RegistrationStatus::Waitlisted };
            let registration =
                workshops::upsert_registration(&mut tx, session, ben, status, at(2)).await.expect("register");
            tx.commit().await.expect("commit");
            registration.status
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "the second registration waits for the session's lock");
    assert_eq!(locked.capacity, 1);
    first.commit().await.expect("commit");
    assert_eq!(second.await.expect("second"), RegistrationStatus::Waitlisted);
    assert_eq!(workshops::count_registered(&store, session).await.expect("count"), 1);
}

async fn the_waitlist_keeps_its_order(store: Store) {
    let national = org(&store, None, OrgKind::National, "National").await;
    let texas = org(&store, Some(&national), OrgKind::StateFederation, "Texas").await;
    let district = org(&store, Some(&texas), OrgKind::District, "Austin ISD").await;
    let school = org(&store, Some(&district), OrgKind::School, "Barton Hills Elementary").await;
    let ada = person_at(&store, "Ada", Some(school.id)).await;
    let [ben, cleo, dan, eve, fay, gus] = [
        person(&store, "Ben").await,
        person(&store, "Cleo").await,
        person(&store, "Dan").await,
        person(&store, "Eve").await,
        person(&store, "Fay").await,
        person(&store, "Gus").await,
    ];
    let workshop = add_item(&store, &new_item("popular", ItemKind::Workshop)).await;
    let session = create(&store, &virtual_session(workshop, 24, 2)).await;

    let cleos = register(&store, session, cleo, RegistrationStatus::Registered, 1).await;
    register(&store, session, ada, RegistrationStatus::Registered, 2).await;
    let eves = register(&store, session, eve, RegistrationStatus::Waitlisted, 3).await;
    let bens = register(&store, session, ben, RegistrationStatus::Waitlisted, 4).await;
    let dans = register(&store, session, dan, RegistrationStatus::Waitlisted, 5).await;
    // Two at the same instant wait in the order they were written.
    let gus_first = register(&store, session, gus, RegistrationStatus::Waitlisted, 6).await;
    let fays = register(&store, session, fay, RegistrationStatus::Waitlisted, 6).await;
    assert_eq!(
        (cleos.session_id, cleos.user_id, cleos.status, cleos.registered_at),
        (session, cleo, RegistrationStatus::Registered, at(1))
    );
    assert_eq!(
        (cleos.promoted_at, cleos.cancelled_at, cleos.attended_at, cleos.attended_via.as_deref()),
        (None, None, None, None)
    );
    assert_eq!(workshops::registration(&store, session, cleo).await.expect("registration"), Some(cleos.clone()));
    assert_eq!(workshops::registration(&store, session, gus + 1000).await.expect("registration"), None);
    assert_eq!(workshops::count_registered(&store, session).await.expect("count"), 2);

    let positions = |store: Store, regs: Vec<Registration>| async move {
        let mut out = Vec::new();
        for r in &regs {
            out.push(workshops::waitlist_position(&store, r).await.expect("position"));
        }
        out
    };
    let waiting = vec![eves.clone(), bens.clone(), dans.clone(), gus_first.clone(), fays.clone()];
    assert_eq!(positions(store.clone(), waiting).await, [1, 2, 3, 4, 5]);

    let roster: Vec<(String, RegistrationStatus, Option<String>)> = workshops::roster(&store, session)
        .await
        .expect("roster")
        .into_iter()
        .map(|e| (e.display_name, e.status, e.school_name))
        .collect();
    let names: Vec<&str> = roster.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(names, ["Ada", "Cleo", "Eve", "Ben", "Dan", "Gus", "Fay"], "seats by name, then the waitlist in order");
    assert_eq!(roster[0].2.as_deref(), Some("Barton Hills Elementary"));
    assert_eq!(roster[1].2, None);

    // Cleo cancels: Eve, first in line, gets the seat.
    let mut tx = store.begin().await.expect("begin");
    assert!(workshops::cancel_registration(&mut tx, cleos.id, at(10)).await.expect("cancel"));
    assert!(!workshops::cancel_registration(&mut tx, cleos.id, at(11)).await.expect("cancel again"));
    let next = workshops::first_waitlisted(&mut tx, session).await.expect("first").expect("someone waits");
    assert_eq!(next.id, eves.id);
    workshops::promote(&mut tx, next.id, at(10)).await.expect("promote");
    workshops::promote(&mut tx, next.id, at(12)).await.expect("promote again");
    tx.commit().await.expect("commit");
    let cancelled = workshops::registration(&store, session, cleo).await.expect("registration").expect("kept");
    assert_eq!((cancelled.status, cancelled.cancelled_at), (RegistrationStatus::Cancelled, Some(at(10))));
    let promoted = workshops::registration(&store, session, eve).await.expect("registration").expect("kept");
    assert_eq!(
        (promoted.status, promoted.promoted_at, promoted.registered_at),
        (RegistrationStatus::Registered, Some(at(10)), at(3)),
        "promoted once"
    );
    assert_eq!(workshops::count_registered(&store, session).await.expect("count"), 2);

    // Cleo comes back, at the end of the line, on the same registration.
    let back = register(&store, session, cleo, RegistrationStatus::Waitlisted, 20).await;
    assert_eq!(
        (back.id, back.status, back.registered_at, back.cancelled_at),
        (cleos.id, RegistrationStatus::Waitlisted, at(20), None)
    );
    let waiting = vec![bens, dans, gus_first.clone(), fays, back];
    assert_eq!(positions(store.clone(), waiting).await, [1, 2, 3, 4, 5]);
    let mut tx = store.begin().await.expect("begin");
    assert_eq!(workshops::first_waitlisted(&mut tx, session).await.expect("first").map(|r| r.user_id), Some(ben));
    drop(tx);

    let summary = workshops::sessions_for_item(&store, workshop, t0()).await.expect("sessions");
    assert_eq!(summary.iter().map(|s| (s.registered, s.waitlisted)).collect::<Vec<_>>(), [(2, 5)]);
    let roster = workshops::roster(&store, session).await.expect("roster");
    let names: Vec<&str> = roster.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(names, ["Ada", "Eve", "Ben", "Dan", "Gus", "Fay", "Cleo"]);
    assert_eq!(roster[6].email, "cleo@example.org");
    assert_eq!(roster[4].registration_id, gus_first.id);
}

async fn attendance_facilitators_and_feeds(store: Store) {
    let [ada, ben, fran, gil] = [
        person(&store, "Ada").await,
        person(&store, "Ben").await,
        person(&store, "Fran").await,
        person(&store, "Gil").await,
    ];
    let mut new = new_item("hands-on", ItemKind::Workshop);
    new.title = "Hands-on AI".into();
    new.summary = "Try it together.".into();
    let workshop = add_item(&store, &new).await;
    let later = create(&store, &virtual_session(workshop, 48, 1)).await;
    let sooner = create(&store, &virtual_session(workshop, 24, 1)).await;
    let over = create(&store, &virtual_session(workshop, -4, 1)).await;
    let cancelled = create(&store, &virtual_session(workshop, 72, 1)).await;

    let adas = register(&store, sooner, ada, RegistrationStatus::Registered, 1).await;
    let bens = register(&store, sooner, ben, RegistrationStatus::Waitlisted, 2).await;
    register(&store, later, ada, RegistrationStatus::Waitlisted, 3).await;
    register(&store, over, ada, RegistrationStatus::Registered, 4).await;
    register(&store, cancelled, ada, RegistrationStatus::Registered, 5).await;
    let dropped = register(&store, later, ben, RegistrationStatus::Registered, 6).await;

    // Attendance is recorded once, for seat holders only, and can be corrected.
    let mut tx = store.begin().await.expect("begin");
    assert!(workshops::mark_attended(&mut tx, adas.id, AttendedVia::Roster, at(30)).await.expect("mark"));
    assert!(!workshops::mark_attended(&mut tx, adas.id, AttendedVia::Code, at(31)).await.expect("mark again"));
    assert!(!workshops::mark_attended(&mut tx, bens.id, AttendedVia::Roster, at(30)).await.expect("waitlisted"));
    tx.commit().await.expect("commit");
    let marked = workshops::registration(&store, sooner, ada).await.expect("registration").expect("exists");
    assert_eq!((marked.attended_at, marked.attended_via.as_deref()), (Some(at(30)), Some("roster")));
    let mut tx = store.begin().await.expect("begin");
    assert!(workshops::unmark_attended(&mut tx, adas.id, at(32)).await.expect("unmark"));
    assert!(!workshops::unmark_attended(&mut tx, adas.id, at(33)).await.expect("unmark again"));
    assert!(workshops::mark_attended(&mut tx, adas.id, AttendedVia::Code, at(34)).await.expect("by code"));
    assert!(workshops::cancel_registration(&mut tx, dropped.id, at(35)).await.expect("cancel"));
    assert!(workshops::cancel_session(&mut tx, cancelled, at(36)).await.expect("cancel session"));
    tx.commit().await.expect("commit");
    let roster = workshops::roster(&store, sooner).await.expect("roster");
    let attendance: Vec<_> = roster.iter().map(|e| (e.user_id, e.attended_at, e.attended_via.as_deref())).collect();
    assert_eq!(attendance, [(ada, Some(at(34)), Some("code")), (ben, None, None)]);

    // A person's sessions that have not ended, soonest first, cancelled sessions shown as such.
    let mine = workshops::my_sessions(&store, ada, t0()).await.expect("my sessions");
    let listed: Vec<_> =
        mine.iter().map(|m| (m.session_id, m.registration_status, m.session_status, m.attended_at)).collect();
    assert_eq!(
        listed,
        [
            (sooner, RegistrationStatus::Registered, SessionStatus::Scheduled, Some(at(34))),
            (later, RegistrationStatus::Waitlisted, SessionStatus::Scheduled, None),
            (cancelled, RegistrationStatus::Registered, SessionStatus::Cancelled, None),
        ]
    );
    assert_eq!(
        (mine[0].title.as_str(), mine[0].slug.as_str(), mine[0].summary.as_str()),
        ("Hands-on AI", "hands-on", "Try it together.")
    );
    assert_eq!(
        (mine[2].sequence, mine[0].location_kind, mine[0].time_zone.as_str()),
        (1, LocationKind::Virtual, "America/Chicago")
    );
    let bens_sessions: Vec<i64> =
        workshops::my_sessions(&store, ben, t0()).await.expect("mine").iter().map(|m| m.session_id).collect();
    assert_eq!(bens_sessions, [sooner], "a cancelled registration is not listed");

    // Facilitators: added once, listed by name, and their sessions.
    let mut tx = store.begin().await.expect("begin");
    for (session, user) in [(later, gil), (later, fran), (later, fran), (sooner, gil), (over, gil)] {
        workshops::add_facilitator(&mut tx, session, user).await.expect("facilitator");
    }
    tx.commit().await.expect("commit");
    let facilitators = workshops::facilitators(&store, later).await.expect("facilitators");
    assert_eq!(
        facilitators,
        [
            (fran, "Fran".to_owned(), "fran@example.org".to_owned()),
            (gil, "Gil".to_owned(), "gil@example.org".to_owned())
        ]
    );
    assert!(workshops::is_facilitator(&store, sooner, gil).await.expect("is"));
    assert!(!workshops::is_facilitator(&store, sooner, fran).await.expect("is not"));
    let gils: Vec<_> = workshops::facilitated_by(&store, gil, t0())
        .await
        .expect("facilitated")
        .into_iter()
        .map(|f| (f.summary.session.id, f.summary.registered, f.summary.waitlisted, f.item_title))
        .collect();
    assert_eq!(gils, [(sooner, 1, 1, "Hands-on AI".to_owned()), (later, 0, 1, "Hands-on AI".to_owned())]);
    assert!(workshops::facilitated_by(&store, ada, t0()).await.expect("none").is_empty());

    // Calendar feeds: one per person (stored as the digest of its secret), kept until reset.
    let mut tx = store.begin().await.expect("begin");
    assert!(workshops::create_feed(&mut tx, ada, "digest-1", t0()).await.expect("feed"), "made now");
    assert!(!workshops::create_feed(&mut tx, ada, "digest-2", at(1)).await.expect("feed"), "one per person");
    assert!(workshops::create_feed(&mut tx, ben, "digest-3", t0()).await.expect("feed"));
    tx.commit().await.expect("commit");
    assert_eq!(workshops::feed_owner(&store, "digest-1").await.expect("owner"), Some(ada));
    assert_eq!(workshops::feed_owner(&store, "digest-2").await.expect("owner"), None);
    let mut tx = store.begin().await.expect("begin");
    workshops::reset_feed(&mut tx, ada, "digest-4", at(2)).await.expect("reset");
    tx.commit().await.expect("commit");
    assert_eq!(workshops::feed_owner(&store, "digest-1").await.expect("owner"), None, "the old feed URL stops working");
    assert_eq!(workshops::feed_owner(&store, "digest-4").await.expect("owner"), Some(ada));
    let mut tx = store.begin().await.expect("begin");
    let err = workshops::reset_feed(&mut tx, ben, "digest-4", at(3)).await.expect_err("a taken digest");
    assert!(matches!(&err, StoreError::Conflict { field } if field == "token"), "{err:?}");
    drop(tx);
    // A feed from before digests: its plain secret (43 characters) is found for upgrading.
    let plain = academy_core::token::SecretToken::generate();
    let mut tx = store.begin().await.expect("begin");
    workshops::reset_feed(&mut tx, ben, plain.expose(), at(4)).await.expect("legacy");
    tx.commit().await.expect("commit");
    let legacy = workshops::feeds_stored_in_plain(&store).await.expect("legacy");
    assert_eq!(legacy, [(ben, plain.expose().to_owned())]);
    let mut tx = store.begin().await.expect("begin");
    workshops::store_feed_digest(&mut tx, ben, plain.hash().as_str()).await.expect("digest");
    tx.commit().await.expect("commit");
    assert!(workshops::feeds_stored_in_plain(&store).await.expect("none").is_empty());
    assert_eq!(workshops::feed_owner(&store, plain.hash().as_str()).await.expect("owner"), Some(ben));
}
