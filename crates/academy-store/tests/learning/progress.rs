//! Enrollments, step progress, quiz attempts, "my learning" and transcripts.

use crate::support::{add_item, at, course, new_item, on_both, person, t0};
use academy_core::learning::{ItemKind, PdHours};
use academy_store::Store;
use academy_store::progress::{self, EnrollmentStatus, StepStatus};
use std::time::Duration;

on_both!(
    enrollments_are_made_once_and_completed_once,
    a_step_is_completed_once_by_racing_requests,
    quiz_attempts_are_numbered_and_submitted_once,
    my_learning_and_the_transcript_keep_their_order,
);

/// (step id, status, response, completed) of every step touched, by step.
async fn touched(store: &Store, enrollment_id: i64) -> Vec<(i64, StepStatus, Option<String>, Option<i64>)> {
    let mut rows: Vec<_> = progress::step_progress(store, enrollment_id)
        .await
        .expect("progress")
        .into_iter()
        .map(|p| (p.step_id, p.status, p.response, p.completed_at.map(|c| (c - t0()).num_minutes())))
        .collect();
    rows.sort_by_key(|r| r.0);
    rows
}

async fn enrollments_are_made_once_and_completed_once(store: Store) {
    let ada = person(&store, "Ada").await;
    let (item, steps) = course(&store, "three-steps", 15, &["a.md", "b.md", "c.md"]).await;
    let (other, _) = course(&store, "other", 10, &["x.md"]).await;

    let mut tx = store.begin().await.expect("begin");
    let (first, made) = progress::enroll(&mut tx, ada, item, None, t0()).await.expect("enroll");
    assert!(made);
    let (again, made) = progress::enroll(&mut tx, ada, item, None, at(1)).await.expect("enroll again");
    tx.commit().await.expect("commit");
    assert!(!made, "enrolling twice returns the enrollment there is");
    assert_eq!(again, first);
    assert_eq!(
        (first.user_id, first.item_id, first.status, first.cohort_id, first.current_step_id),
        (ada, item, EnrollmentStatus::Enrolled, None, None)
    );
    assert_eq!(
        (first.enrolled_at, first.started_at, first.completed_at, first.pd_hours_tenths),
        (t0(), None, None, None)
    );
    assert!(uuid::Uuid::parse_str(&first.registration).is_ok(), "{}", first.registration);
    assert_eq!(progress::find(&store, ada, item).await.expect("find"), Some(first.clone()));
    assert_eq!(progress::find(&store, ada, other).await.expect("find"), None);
    let id = first.id;

    // Opening steps starts the enrollment once; the current step follows.
    progress::set_current_step(&store, id, steps[1], at(2)).await.expect("current");
    progress::set_current_step(&store, id, steps[2], at(3)).await.expect("current");
    let now = progress::find(&store, ada, item).await.expect("find").expect("enrolled");
    assert_eq!(
        (now.status, now.started_at, now.current_step_id),
        (EnrollmentStatus::InProgress, Some(at(2)), Some(steps[2]))
    );

    // Drafts replace each other until the step is completed; completion keeps its first time.
    progress::save_draft(&store, id, steps[0], "draft 1", at(4)).await.expect("draft");
    progress::save_draft(&store, id, steps[0], "draft 2", at(5)).await.expect("draft");
    assert_eq!(touched(&store, id).await, [(steps[0], StepStatus::Started, Some("draft 2".into()), None)]);
    let mut tx = store.begin().await.expect("begin");
    assert!(progress::complete_step(&mut tx, id, steps[0], Some("final"), at(6)).await.expect("complete"));
    assert!(!progress::complete_step(&mut tx, id, steps[0], None, at(7)).await.expect("again"));
    assert!(!progress::complete_step(&mut tx, id, steps[0], Some("edited"), at(8)).await.expect("edit"));
    assert!(progress::complete_step(&mut tx, id, steps[1], None, at(9)).await.expect("no draft"));
    tx.commit().await.expect("commit");
    progress::save_draft(&store, id, steps[0], "late draft", at(10)).await.expect("draft after completion");
    assert_eq!(
        touched(&store, id).await,
        [
            (steps[0], StepStatus::Completed, Some("edited".into()), Some(6)),
            (steps[1], StepStatus::Completed, None, Some(9)),
        ],
        "a later response replaces the answer, not the completion; a draft never reopens a step"
    );
    assert_eq!(progress::step_counts(&store, id).await.expect("counts"), (2, 3));

    // Withdrawing and coming back keeps the enrollment, its registration and its progress.
    let mut tx = store.begin().await.expect("begin");
    assert!(progress::withdraw(&mut tx, id, at(11)).await.expect("withdraw"));
    tx.commit().await.expect("commit");
    assert_eq!(
        progress::find(&store, ada, item).await.expect("find").expect("row").status,
        EnrollmentStatus::Withdrawn
    );
    let mut tx = store.begin().await.expect("begin");
    let (back, made) = progress::enroll(&mut tx, ada, item, None, at(12)).await.expect("re-enroll");
    tx.commit().await.expect("commit");
    assert!(!made);
    assert_eq!((back.id, back.status, &back.registration), (id, EnrollmentStatus::InProgress, &first.registration));
    assert_eq!(progress::step_counts(&store, id).await.expect("counts"), (2, 3));

    // Completing the enrollment awards the hours once.
    let mut tx = store.begin().await.expect("begin");
    assert!(progress::complete_step(&mut tx, id, steps[2], None, at(13)).await.expect("last step"));
    assert!(progress::complete_enrollment(&mut tx, id, PdHours::from_tenths(15), at(14)).await.expect("complete"));
    assert!(!progress::complete_enrollment(&mut tx, id, PdHours::from_tenths(99), at(15)).await.expect("again"));
    assert!(!progress::withdraw(&mut tx, id, at(16)).await.expect("withdraw"), "a completed enrollment stays");
    tx.commit().await.expect("commit");
    let done = progress::find(&store, ada, item).await.expect("find").expect("row");
    assert_eq!(
        (done.status, done.pd_hours_tenths, done.completed_at, done.started_at),
        (EnrollmentStatus::Completed, Some(15), Some(at(14)), Some(at(2)))
    );
    assert_eq!(progress::step_counts(&store, id).await.expect("counts"), (3, 3));

    // Completing without ever opening a step counts as starting then.
    let ben = person(&store, "Ben").await;
    let cleo = person(&store, "Cleo").await;
    let dan = person(&store, "Dan").await;
    let mut tx = store.begin().await.expect("begin");
    let (bens, _) = progress::enroll(&mut tx, ben, item, None, t0()).await.expect("enroll");
    progress::complete_enrollment(&mut tx, bens.id, PdHours::from_tenths(15), at(20)).await.expect("complete");
    progress::enroll(&mut tx, cleo, item, None, t0()).await.expect("enroll");
    let (dans, _) = progress::enroll(&mut tx, dan, item, None, t0()).await.expect("enroll");
    progress::withdraw(&mut tx, dans.id, at(21)).await.expect("withdraw");
    tx.commit().await.expect("commit");
    let bens = progress::find(&store, ben, item).await.expect("find").expect("row");
    assert_eq!((bens.started_at, bens.completed_at), (Some(at(20)), Some(at(20))));
    assert_eq!(
        progress::item_counts(&store, item).await.expect("counts"),
        [("completed".to_owned(), 2), ("enrolled".to_owned(), 1), ("withdrawn".to_owned(), 1)]
    );
    assert!(progress::item_counts(&store, other).await.expect("counts").is_empty());
}

/// Two requests complete the same step at once (a double-submitted form): only one of them
/// may see "completed now", or the completion is recorded, and announced, twice.
async fn a_step_is_completed_once_by_racing_requests(store: Store) {
    let ada = person(&store, "Ada").await;
    let (item, steps) = course(&store, "one-step", 10, &["a.md", "b.md"]).await;
    let mut tx = store.begin().await.expect("begin");
    let (enrollment, _) = progress::enroll(&mut tx, ada, item, None, t0()).await.expect("enroll");
    tx.commit().await.expect("commit");
    // One step with a draft saved, one without: the two ways a completion is written.
    progress::save_draft(&store, enrollment.id, steps[1], "draft", at(1)).await.expect("draft");

    for (n, &step) in steps.iter().enumerate() {
        let mut first = store.begin().await.expect("begin");
        assert!(progress::complete_step(&mut first, enrollment.id, step, Some("first"), at(2)).await.expect("first"));
        let second = tokio::spawn({
            let store = store.clone();
            async move {
                let mut tx = store.begin().await.expect("begin");
                let now = progress::complete_step(&mut tx, enrollment.id, step, None, at(3)).await.expect("second");
                tx.commit().await.expect("commit");
                now
            }
        });
        // Let the second request reach the database while the first is still open.
        tokio::time::sleep(Duration::from_millis(300)).await;
        first.commit().await.expect("commit");
        assert!(!second.await.expect("second request"), "step {n} completed twice");
    }
    let rows = touched(&store, enrollment.id).await;
    assert_eq!(
        rows,
        [
            (steps[0], StepStatus::Completed, Some("first".into()), Some(2)),
            (steps[1], StepStatus::Completed, Some("first".into()), Some(2)),
        ]
    );
}

async fn quiz_attempts_are_numbered_and_submitted_once(store: Store) {
    let ada = person(&store, "Ada").await;
    let ben = person(&store, "Ben").await;
    let (item, steps) = course(&store, "quizzes", 10, &["q1.md", "q2.md"]).await;
    let mut tx = store.begin().await.expect("begin");
    let (adas, _) = progress::enroll(&mut tx, ada, item, None, t0()).await.expect("enroll");
    let (bens, _) = progress::enroll(&mut tx, ben, item, None, t0()).await.expect("enroll");
    let first = progress::start_attempt(&mut tx, adas.id, steps[0], at(1)).await.expect("start");
    tx.commit().await.expect("commit");
    assert_eq!((first.enrollment_id, first.step_id, first.number, first.started_at), (adas.id, steps[0], 1, at(1)));
    assert_eq!((first.submitted_at, first.responses.as_deref(), first.percent, first.passed), (None, None, None, None));

    let mut tx = store.begin().await.expect("begin");
    assert!(progress::submit_attempt(&mut tx, first.id, "[1]", 50, false, at(2)).await.expect("submit"));
    assert!(
        !progress::submit_attempt(&mut tx, first.id, "[0]", 100, true, at(3)).await.expect("resubmit"),
        "a submitted attempt is final"
    );
    let second = progress::start_attempt(&mut tx, adas.id, steps[0], at(4)).await.expect("start");
    let other_step = progress::start_attempt(&mut tx, adas.id, steps[1], at(4)).await.expect("start");
    let other_person = progress::start_attempt(&mut tx, bens.id, steps[0], at(4)).await.expect("start");
    assert!(progress::submit_attempt(&mut tx, second.id, "[0]", 100, true, at(5)).await.expect("submit"));
    tx.commit().await.expect("commit");
    assert_eq!((second.number, other_step.number, other_person.number), (2, 1, 1), "numbered per person and step");

    let attempts = progress::attempts(&store, adas.id, steps[0]).await.expect("attempts");
    let summary: Vec<_> =
        attempts.iter().map(|a| (a.number, a.submitted_at, a.responses.as_deref(), a.percent, a.passed)).collect();
    assert_eq!(
        summary,
        [(1, Some(at(2)), Some("[1]"), Some(50), Some(false)), (2, Some(at(5)), Some("[0]"), Some(100), Some(true))]
    );
    assert_eq!(progress::attempt(&store, second.id).await.expect("attempt"), Some(attempts[1].clone()));
    assert_eq!(progress::attempt(&store, other_person.id + 1).await.expect("attempt"), None);
    assert!(progress::attempts(&store, bens.id, steps[1]).await.expect("attempts").is_empty());
}

async fn my_learning_and_the_transcript_keep_their_order(store: Store) {
    let ada = person(&store, "Ada").await;
    let ben = person(&store, "Ben").await;
    let (early, early_steps) = course(&store, "early", 10, &["a.md", "b.md"]).await;
    let (middle, middle_steps) = course(&store, "middle", 20, &["a.md", "b.md", "c.md"]).await;
    let (late, _) = course(&store, "late", 30, &["a.md"]).await;
    let (left, _) = course(&store, "left", 40, &["a.md"]).await;
    let mut workshop = new_item("live", ItemKind::Workshop);
    workshop.title = "Live".into();
    let live = add_item(&store, &workshop).await;

    let mut tx = store.begin().await.expect("begin");
    let mut enrollments = Vec::new();
    for (minute, item) in [(0, early), (1, middle), (2, late), (3, left), (4, live)] {
        enrollments.push(progress::enroll(&mut tx, ada, item, None, at(minute)).await.expect("enroll").0.id);
    }
    progress::enroll(&mut tx, ben, middle, None, t0()).await.expect("someone else");
    // Completed out of enrollment order: late first, then early (with hours of its own).
    assert!(progress::complete_step(&mut tx, enrollments[0], early_steps[0], None, at(5)).await.expect("step"));
    progress::complete_enrollment(&mut tx, enrollments[2], PdHours::from_tenths(30), at(10)).await.expect("late");
    progress::complete_enrollment(&mut tx, enrollments[0], PdHours::from_tenths(12), at(20)).await.expect("early");
    progress::withdraw(&mut tx, enrollments[3], at(30)).await.expect("leave");
    tx.commit().await.expect("commit");
    progress::set_current_step(&store, enrollments[1], middle_steps[0], at(15)).await.expect("started");

    let cards = progress::my_learning(&store, ada).await.expect("my learning");
    let listed: Vec<_> = cards
        .iter()
        .map(|c| (c.slug.as_str(), c.kind, c.status, c.item_hours_tenths, c.steps_done, c.steps_total, c.updated_at))
        .collect();
    assert_eq!(
        listed,
        [
            ("middle", ItemKind::Course, EnrollmentStatus::InProgress, 20, 0, 3, at(15)),
            ("live", ItemKind::Workshop, EnrollmentStatus::Enrolled, 10, 0, 0, at(4)),
            ("early", ItemKind::Course, EnrollmentStatus::Completed, 10, 1, 2, at(20)),
            ("late", ItemKind::Course, EnrollmentStatus::Completed, 30, 0, 1, at(10)),
        ],
        "open work first, most recently touched first; withdrawn items left out"
    );
    assert_eq!(cards[0].enrollment_id, enrollments[1]);
    assert_eq!((cards[1].title.as_str(), cards[1].completed_at), ("Live", None));
    assert_eq!(cards[2].completed_at, Some(at(20)));

    let transcript = progress::transcript(&store, ada).await.expect("transcript");
    let lines: Vec<_> =
        transcript.iter().map(|l| (l.slug.as_str(), l.kind, l.pd_hours_tenths, l.completed_at)).collect();
    assert_eq!(
        lines,
        [("late", ItemKind::Course, 30, at(10)), ("early", ItemKind::Course, 12, at(20))],
        "oldest completion first, with the hours awarded"
    );
    assert!(progress::transcript(&store, ben).await.expect("transcript").is_empty());
}
