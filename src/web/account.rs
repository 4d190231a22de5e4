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
use crate::models::{audit, session, user};
use crate::web::guard::{ButtonOnly, CsrfForm};

async fn account_context(db: &Db, signed: &Signed) -> AppResult<Value> {
    let uid = signed.user.id;
    let (grants, tokens) = db
        .run(move |c| Ok((user::grants_of(c, uid)?, session::tokens_of(c, uid)?)))
        .await?;
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
    Ok(json!({ "roles": roles, "tokens": tokens, "is_admin": signed.user.is_admin }))
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
    signed: &Signed,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let ctx = account_context(db, signed).await?;
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
        let ctx = account_context(db, signed).await?;
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
    let ctx = account_context(db, signed).await?;
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
