//! Administration: users, their roles, passwords and access; the audit log.

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::view::render;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::mail::{outbox, Mailer};
use crate::models::{audit, programme, session, user};
use crate::web::guard::{Admin, ButtonOnly, CsrfForm};

fn user_json(u: &user::User, roles: &[user::RoleGrant]) -> Value {
    json!({
        "id": u.id, "username": u.username, "name": u.display_name, "email": u.email,
        "is_admin": u.is_admin, "is_active": u.is_active,
        "last_login": u.last_login_at.map(|d| d.format("%-d %b %Y %H:%M").to_string()).unwrap_or_else(|| "never".into()),
        "roles": roles.iter().map(|g| json!({ "id": g.id, "code": g.programme_code, "programme": g.programme_name, "role": user::role_label(&g.role) })).collect::<Vec<_>>(),
    })
}

async fn users_context(db: &Db) -> AppResult<Value> {
    let rows = db
        .run(|c| {
            let mut rows = Vec::new();
            for u in user::all(c)? {
                let grants = user::grants_of(c, u.id)?;
                rows.push(user_json(&u, &grants));
            }
            Ok(rows)
        })
        .await?;
    Ok(json!({ "users": rows }))
}

/// Whether email is on, and what waits in the outbox: what an administrator checks
/// when someone says a message never came.
async fn mail_context(db: &Db, mailer: &Mailer) -> AppResult<Value> {
    let (waiting, oldest, error) = db.run(outbox::pending).await?;
    Ok(json!({
        "on": mailer.config().enabled(),
        "describe": mailer.config().describe(),
        "waiting": waiting,
        "oldest": oldest.map(|t| t.format("%-d %b %Y %H:%M UTC").to_string()),
        "error": error,
    }))
}

#[rocket::get("/admin/users")]
pub async fn users(
    db: &State<Db>,
    mailer: &State<Mailer>,
    admin: Admin<'_>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let mut ctx = users_context(db).await?;
    ctx["mail"] = mail_context(db, mailer).await?;
    ctx["flash"] = json!(flash.map(|f| f.message().to_string()));
    Ok(render("admin_users", Some(admin.0), ctx))
}

#[derive(FromForm)]
pub struct NewUserForm {
    username: String,
    name: String,
    email: String,
    password: String,
    admin: bool,
}

#[rocket::post("/admin/users", data = "<form>")]
pub async fn create_user(
    db: &State<Db>,
    admin: Admin<'_>,
    form: CsrfForm<NewUserForm>,
) -> AppResult<Result<Redirect, (Status, Template)>> {
    let f = form.0;
    let (aid, aname) = (admin.0.user.id, admin.0.user.username.clone());
    let (username, name, email) = (
        f.username.trim().to_lowercase(),
        f.name.clone(),
        f.email.clone(),
    );
    let result = db
        .run(move |c| {
            crate::db::write(c, |c| {
                let u = user::create(c, &user::NewAccount { username: &username, display_name: &name, email: &email, password: &f.password, is_admin: f.admin })?;
                audit::record(c, audit::Change { user_id: Some(aid), actor: &aname, action: "user_created", entity: "user", entity_id: Some(u.id), after: Some(json!({ "username": u.username, "name": u.display_name, "admin": u.is_admin })), ..Default::default() })?;
                Ok(u.id)
            })
        })
        .await;
    match result {
        Ok(id) => Ok(Ok(Redirect::to(format!("/admin/users/{id}")))),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let field = match &e {
                AppError::Invalid { field, .. } => field.clone(),
                _ => Some("username".into()),
            };
            let mut ctx = users_context(db).await?;
            ctx["error"] = json!({ "field": field, "message": e.to_string() });
            ctx["typed"] = json!({ "username": f.username, "name": f.name, "email": f.email, "admin": f.admin });
            Ok(Err((
                Status::UnprocessableEntity,
                render("admin_users", Some(admin.0), ctx),
            )))
        }
        Err(e) => Err(e),
    }
}

async fn user_context(db: &Db, id: i32) -> AppResult<Value> {
    db.run(move |c| {
        let u = user::find(c, id)?;
        let grants = user::grants_of(c, id)?;
        let programmes: Vec<Value> = programme::all(c)?.iter().map(|p| json!({ "code": p.code, "name": p.name, "status": p.status })).collect();
        Ok(json!({
            "user": user_json(&u, &grants),
            "programmes": programmes,
            "role_choices": user::ROLES.iter().map(|r| json!({ "value": r, "label": user::role_label(r) })).collect::<Vec<_>>(),
        }))
    })
    .await
}

#[rocket::get("/admin/users/<id>")]
pub async fn user_page(
    db: &State<Db>,
    admin: Admin<'_>,
    id: i32,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let mut ctx = user_context(db, id).await?;
    ctx["flash"] = json!(flash.map(|f| f.message().to_string()));
    Ok(render("admin_user", Some(admin.0), ctx))
}

async fn user_error(
    db: &Db,
    admin: &Admin<'_>,
    id: i32,
    e: AppError,
) -> AppResult<(Status, Template)> {
    let mut ctx = user_context(db, id).await?;
    ctx["error"] = json!(e.to_string());
    Ok((
        Status::new(e.status_code()),
        render("admin_user", Some(admin.0), ctx),
    ))
}

type Outcome = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

/// Runs an admin change on user `id` in one transaction, then back to the user's page.
async fn change<F>(db: &Db, admin: &Admin<'_>, id: i32, done: String, mut f: F) -> Outcome
where
    F: FnMut(&mut crate::db::DbConn, i32, &str) -> AppResult<()> + Send + 'static,
{
    let (aid, aname) = (admin.0.user.id, admin.0.user.username.clone());
    match db
        .run(move |c| crate::db::write(c, |c| f(c, aid, &aname)))
        .await
    {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/admin/users/{id}")),
            done,
        ))),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            Ok(Err(user_error(db, admin, id, e).await?))
        }
        Err(e) => Err(e),
    }
}

fn roles_snapshot(c: &mut crate::db::DbConn, id: i32) -> AppResult<Value> {
    Ok(json!(user::grants_of(c, id)?
        .iter()
        .map(|g| format!("{}:{}", g.programme_code, g.role))
        .collect::<Vec<_>>()))
}

#[derive(FromForm)]
pub struct RoleForm {
    programme: String,
    role: String,
}

#[rocket::post("/admin/users/<id>/roles", data = "<form>")]
pub async fn grant_role(
    db: &State<Db>,
    admin: Admin<'_>,
    id: i32,
    form: CsrfForm<RoleForm>,
) -> Outcome {
    let f = form.0;
    let done = format!(
        "Role {} granted in {}.",
        user::role_label(&f.role),
        f.programme
    );
    change(db, &admin, id, done, move |c, aid, aname| {
        let u = user::find(c, id)?;
        let before = roles_snapshot(c, id)?;
        user::grant_role(c, u.id, &f.programme, &f.role)?;
        let after = roles_snapshot(c, id)?;
        audit::record(
            c,
            audit::Change {
                user_id: Some(aid),
                actor: aname,
                action: "role_granted",
                entity: "user",
                entity_id: Some(id),
                before: Some(before),
                after: Some(after),
                detail: format!("{}:{} for {}", f.programme, f.role, u.username),
                ..Default::default()
            },
        )
    })
    .await
}

#[rocket::post("/admin/users/<id>/roles/<grant>/remove", data = "<form>")]
pub async fn revoke_role(
    db: &State<Db>,
    admin: Admin<'_>,
    id: i32,
    grant: i32,
    form: CsrfForm<ButtonOnly>,
) -> Outcome {
    let CsrfForm(ButtonOnly { .. }) = form;
    change(
        db,
        &admin,
        id,
        "Role removed.".into(),
        move |c, aid, aname| {
            let before = roles_snapshot(c, id)?;
            let g = user::revoke_grant(c, id, grant)?;
            let after = roles_snapshot(c, id)?;
            audit::record(
                c,
                audit::Change {
                    user_id: Some(aid),
                    actor: aname,
                    action: "role_revoked",
                    entity: "user",
                    entity_id: Some(id),
                    before: Some(before),
                    after: Some(after),
                    detail: format!("{}:{}", g.programme_code, g.role),
                    ..Default::default()
                },
            )
        },
    )
    .await
}

#[derive(FromForm)]
pub struct ResetForm {
    password: String,
}

#[rocket::post("/admin/users/<id>/password", data = "<form>")]
pub async fn reset_password(
    db: &State<Db>,
    admin: Admin<'_>,
    id: i32,
    form: CsrfForm<ResetForm>,
) -> Outcome {
    let password = form.0.password;
    let done = "Password reset. Give it to the user in person; their sessions were signed out."
        .to_string();
    change(db, &admin, id, done, move |c, aid, aname| {
        let u = user::find(c, id)?;
        user::set_password(c, u.id, &password)?;
        let ended = session::end_all_for(c, u.id, None)?;
        audit::record(
            c,
            audit::Change {
                user_id: Some(aid),
                actor: aname,
                action: "password_reset",
                entity: "user",
                entity_id: Some(id),
                detail: format!("for {}; {ended} session(s) ended", u.username),
                ..Default::default()
            },
        )
    })
    .await
}

#[derive(FromForm)]
pub struct StatusForm {
    active: bool,
}

#[rocket::post("/admin/users/<id>/status", data = "<form>")]
pub async fn set_status(
    db: &State<Db>,
    admin: Admin<'_>,
    id: i32,
    form: CsrfForm<StatusForm>,
) -> Outcome {
    let active = form.0.active;
    if !active && id == admin.0.user.id {
        return Ok(Err(user_error(
            db,
            &admin,
            id,
            AppError::Forbidden(
                "You cannot disable your own account: ask another administrator.".into(),
            ),
        )
        .await?));
    }
    let done = if active {
        "Account enabled."
    } else {
        "Account disabled; its sessions were signed out and its API tokens stop working."
    };
    change(db, &admin, id, done.into(), move |c, aid, aname| {
        let u = user::find(c, id)?;
        user::set_active(c, id, active)?;
        if !active {
            session::end_all_for(c, id, None)?;
        }
        audit::record(
            c,
            audit::Change {
                user_id: Some(aid),
                actor: aname,
                action: if active {
                    "account_enabled"
                } else {
                    "account_disabled"
                },
                entity: "user",
                entity_id: Some(id),
                before: Some(json!({ "active": u.is_active })),
                after: Some(json!({ "active": active })),
                detail: u.username,
                ..Default::default()
            },
        )
    })
    .await
}
