//! A user's own account: roles, password, personal API tokens.

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::view::render;
use crate::auth::Signed;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::format;
use crate::mail::outbox;
use crate::mail::{Kind, Mailer};
use crate::models::{audit, session, user};
use crate::web::guard::{ButtonOnly, CsrfForm};

async fn account_context(db: &Db, signed: &Signed, mailer: &Mailer) -> AppResult<Value> {
    let uid = signed.user.id;
    let (grants, tokens, off, address) = db
        .run(move |c| {
            Ok((
                user::grants_of(c, uid)?,
                session::tokens_of(c, uid)?,
                outbox::optouts_of(c, uid)?,
                user::find(c, uid)?.email,
            ))
        })
        .await?;
    // Only the kinds one of the person's roles receives.
    let kinds: Vec<Value> = Kind::ALL
        .iter()
        .filter(|k| grants.iter().any(|g| g.role == k.role()))
        .map(|k| json!({ "kind": k.as_str(), "label": k.label(), "on": !off.contains(k) }))
        .collect();
    let mail = json!({
        "address": address,
        "server_on": mailer.config().enabled(),
        "kinds": kinds,
    });
    let roles: Vec<Value> = grants
        .iter()
        .map(|g| json!({ "programme": g.programme_name, "code": g.programme_code, "role": user::role_label(&g.role) }))
        .collect();
    let tokens: Vec<Value> = tokens
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "name": t.name, "prefix": t.prefix,
                "created": format::date(t.created_at.date()),
                "last_used": t.last_used_at.map(|d| format::date(d.date())).unwrap_or_else(|| "never".into()),
                "revoked": t.revoked_at.map(|d| format::date(d.date())),
            })
        })
        .collect();
    Ok(json!({ "roles": roles, "tokens": tokens, "is_admin": signed.user.is_admin, "mail": mail }))
}

fn with(mut ctx: Value, key: &str, v: Value) -> Value {
    if let Value::Object(m) = &mut ctx {
        m.insert(key.into(), v);
    }
    ctx
}

#[rocket::get("/account")]
pub async fn show(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let ctx = account_context(db, signed, mailer).await?;
    let ctx = with(ctx, "flash", json!(flash.map(|f| f.message().to_string())));
    Ok(render("account", Some(signed), ctx))
}

#[derive(FromForm)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

#[rocket::post("/account/password", data = "<form>")]
pub async fn change_password(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    form: CsrfForm<PasswordForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let f = form.0;
    let (uid, sid, name, hash) = (
        signed.user.id,
        signed.session_id,
        signed.user.username.clone(),
        signed.user.password_hash.clone(),
    );
    let problem = if !user::verify_password(&f.current, &hash) {
        Some(("current", "Your current password is not right.".to_string()))
    } else if f.new != f.confirm {
        Some((
            "confirm",
            "The new password and its confirmation differ.".to_string(),
        ))
    } else if let Err(e) = user::validate_password(&f.new) {
        Some(("new", format!("The new password is too weak: {e}.")))
    } else {
        None
    };
    if let Some((field, msg)) = problem {
        let ctx = account_context(db, signed, mailer).await?;
        let ctx = with(
            ctx,
            "password_error",
            json!({ "field": field, "message": msg }),
        );
        return Ok(Err((
            Status::UnprocessableEntity,
            render("account", Some(signed), ctx),
        )));
    }
    db.run(move |c| {
        crate::db::write(c, |c| {
            user::set_password(c, uid, &f.new)?;
            let ended = session::end_all_for(c, uid, Some(sid))?;
            audit::record(
                c,
                audit::Change {
                    user_id: Some(uid),
                    actor: &name,
                    action: "password_changed",
                    entity: "user",
                    entity_id: Some(uid),
                    detail: format!("{ended} other session(s) ended"),
                    ..Default::default()
                },
            )
        })
    })
    .await?;
    Ok(Ok(Flash::success(
        Redirect::to("/account"),
        "Your password is changed. Other sessions of yours were signed out.",
    )))
}

#[derive(FromForm)]
pub struct TokenForm {
    name: String,
}

/// The token is shown in this response only: it is not kept anywhere but as a hash.
#[rocket::post("/account/tokens", data = "<form>")]
pub async fn create_token(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    form: CsrfForm<TokenForm>,
) -> AppResult<(Status, Template)> {
    let name = form.0.name;
    let (uid, uname) = (signed.user.id, signed.user.username.clone());
    let created = db
        .run(move |c| {
            crate::db::write(c, |c| {
                let (id, token) = session::create_token(c, uid, &name, crate::clock::now())?;
                audit::record(
                    c,
                    audit::Change {
                        user_id: Some(uid),
                        actor: &uname,
                        action: "token_created",
                        entity: "api_token",
                        entity_id: Some(id),
                        after: Some(json!({ "name": name.trim(), "prefix": &token[..10] })),
                        ..Default::default()
                    },
                )?;
                Ok(token)
            })
        })
        .await;
    let ctx = account_context(db, signed, mailer).await?;
    match created {
        Ok(token) => Ok((
            Status::Created,
            render(
                "account",
                Some(signed),
                with(ctx, "new_token", json!(token)),
            ),
        )),
        Err(AppError::Invalid { message, .. }) => Ok((
            Status::UnprocessableEntity,
            render(
                "account",
                Some(signed),
                with(ctx, "token_error", json!(message)),
            ),
        )),
        Err(e) => Err(e),
    }
}

#[rocket::post("/account/tokens/<id>/revoke", data = "<form>")]
pub async fn revoke_token(
    db: &State<Db>,
    signed: &Signed,
    id: i32,
    form: CsrfForm<ButtonOnly>,
) -> AppResult<Flash<Redirect>> {
    let CsrfForm(ButtonOnly { .. }) = form;
    let (uid, uname) = (signed.user.id, signed.user.username.clone());
    let t = db
        .run(move |c| {
            let t = session::revoke_token(c, uid, id, crate::clock::now())?;
            audit::record(
                c,
                audit::Change {
                    user_id: Some(uid),
                    actor: &uname,
                    action: "token_revoked",
                    entity: "api_token",
                    entity_id: Some(t.id),
                    before: Some(json!({ "name": t.name, "prefix": t.prefix })),
                    ..Default::default()
                },
            )?;
            Ok(t)
        })
        .await?;
    Ok(Flash::success(
        Redirect::to("/account"),
        format!("The token “{}” is revoked.", t.name),
    ))
}

#[derive(FromForm)]
pub struct EmailForm {
    email: String,
}

/// The person's own address for messages (empty: none).
#[rocket::post("/account/email", data = "<form>")]
pub async fn change_email(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    form: CsrfForm<EmailForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let email = form.0.email.trim().to_string();
    if let Err(message) = user::validate_email(&email) {
        let ctx = account_context(db, signed, mailer).await?;
        let ctx = with(
            ctx,
            "email_error",
            json!({ "message": message, "typed": email }),
        );
        return Ok(Err((
            Status::UnprocessableEntity,
            render("account", Some(signed), ctx),
        )));
    }
    let (uid, uname) = (signed.user.id, signed.user.username.clone());
    let told = email.clone();
    db.run(move |c| {
        crate::db::write(c, |c| {
            let before = user::find(c, uid)?.email;
            if before == email {
                return Ok(());
            }
            user::set_email(c, uid, &email)?;
            audit::record(
                c,
                audit::Change {
                    user_id: Some(uid),
                    actor: &uname,
                    action: "email_changed",
                    entity: "user",
                    entity_id: Some(uid),
                    before: Some(json!({ "email": before })),
                    after: Some(json!({ "email": email })),
                    ..Default::default()
                },
            )
        })
    })
    .await?;
    let message = if told.is_empty() {
        "Your email address is removed: you get no email.".to_string()
    } else {
        format!("Messages now go to {told}.")
    };
    Ok(Ok(Flash::success(Redirect::to("/account#email"), message)))
}

#[derive(FromForm)]
pub struct MailForm {
    /// The kinds ticked: those the person wants.
    on: Vec<String>,
}

/// Which kinds of message the person gets: each unticked kind is turned off.
#[rocket::post("/account/mail", data = "<form>")]
pub async fn mail_choices(
    db: &State<Db>,
    signed: &Signed,
    form: CsrfForm<MailForm>,
) -> AppResult<Flash<Redirect>> {
    let mut wanted = Vec::new();
    for k in &form.0.on {
        wanted.push(
            Kind::parse(k).ok_or_else(|| {
                AppError::invalid("on", format!("'{k}' is not a kind of message"))
            })?,
        );
    }
    let off: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| !wanted.contains(k))
        .collect();
    let (uid, uname) = (signed.user.id, signed.user.username.clone());
    let names = |ks: &[Kind]| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>();
    db.run(move |c| {
        crate::db::write(c, |c| {
            let before = outbox::optouts_of(c, uid)?;
            if before == off {
                return Ok(());
            }
            outbox::set_optouts(c, uid, &off)?;
            audit::record(
                c,
                audit::Change {
                    user_id: Some(uid),
                    actor: &uname,
                    action: "mail_choices_changed",
                    entity: "user",
                    entity_id: Some(uid),
                    before: Some(json!({ "turned_off": names(&before) })),
                    after: Some(json!({ "turned_off": names(&off) })),
                    ..Default::default()
                },
            )
        })
    })
    .await?;
    Ok(Flash::success(
        Redirect::to("/account#email"),
        "Your email choices are saved.",
    ))
}
