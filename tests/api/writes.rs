//! Writes: on SQLite, those that queue while the writer is busy are committed
//! together, each in a savepoint of its own. Whatever shares their transaction, a
//! write that fails or panics is undone alone, and the others are kept and
//! answered once they are committed (on PostgreSQL, each runs in its own).

use tessera::db::{DbError, settings};

use crate::helpers::spawn_app;

#[actix_web::test]
async fn writes_queued_together_are_kept_or_undone_each_on_its_own() {
    let app = spawn_app().await;
    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    let put = |name: &'static str| {
        move |c: &mut tessera::db::DbConnection| settings::put(c, name, "1").map_err(DbError::from)
    };

    // The first write holds the writer until the others are queued behind it.
    let (started, running) = tokio::sync::oneshot::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let first = actix_web::rt::spawn({
        let db = db.clone();
        async move {
            db.write(move |c| {
                put("first")(c)?;
                let _ = started.send(());
                let _ = released.recv();
                Ok::<_, DbError>("first")
            })
            .await
        }
    });
    running.await.unwrap();

    let (kept, failed, panicked, after, ()) = futures_util::future::join5(
        db.write(move |c| {
            put("kept")(c)?;
            Ok::<_, DbError>("kept")
        }),
        db.write(move |c| {
            put("failed")(c)?;
            Err::<(), _>(DbError::Lookup("refused by its own rule".into()))
        }),
        db.write(move |c| -> Result<(), DbError> {
            put("panicked")(c)?;
            panic!("a write with a bug")
        }),
        db.write(put("after")),
        async {
            release.send(()).unwrap();
        },
    )
    .await;

    assert_eq!(first.await.unwrap().unwrap(), "first");
    assert_eq!(kept.unwrap(), "kept");
    assert!(
        matches!(failed, Err(DbError::Lookup(ref why)) if why == "refused by its own rule"),
        "{failed:?}"
    );
    assert!(matches!(panicked, Err(DbError::Canceled)), "{panicked:?}");
    after.unwrap();

    let stored = db
        .run(|c| {
            ["first", "kept", "failed", "panicked", "after"]
                .into_iter()
                .map(|name| Ok((name, settings::get(c, name)?.is_some())))
                .collect::<Result<Vec<_>, DbError>>()
        })
        .await
        .unwrap();
    assert_eq!(
        stored,
        [
            ("first", true),
            ("kept", true),
            ("failed", false),
            ("panicked", false),
            ("after", true),
        ]
    );

    // The writer goes on after a panic.
    db.write(put("later")).await.unwrap();
}
