//! DHIS2 on the web: the mapping page of a programme (edit every item's code and UID in
//! one form, download or upload the mapping CSV), and the DHIS2-compatible endpoint
//! `/dhis2/api/dataValueSets` that DHIS2 tools push to and pull from — signed in with
//! HTTP Basic or a personal API token, never with the session cookie.

use std::net::IpAddr;

use rocket::data::{Data, ToByteUnit};
use rocket::form::Form;
use rocket::fs::TempFile;
use rocket::http::{ContentType, Header, Status};
use rocket::request::{FlashMessage, FromRequest, Outcome};
use rocket::response::{self, Flash, Redirect, Responder, Response};
use rocket::{Request, State};
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::view::render;
use crate::auth::{ApiClient, AuthSettings, Signed};
use crate::db::Db;
use crate::dhis2::auth::{self as dauth, Credentials, Refused};
use crate::dhis2::export::{self, Format, Span};
use crate::dhis2::import::{self, Options, Payload};
use crate::dhis2::mapping::{self, Input, MappingSaved, Mappings, KINDS};
use crate::domain::access::Permission;
use crate::domain::dhis2::summary::{ImportStatus, Strategy};
use crate::domain::dhis2::{IdScheme, IdSchemes};
use crate::error::{AppError, AppResult};
use crate::models::programme::Programme;
use crate::web::guard::{CsrfForm, RawFields};

// ---- the mapping page ----

async fn page_context(db: &Db, p: &Programme) -> AppResult<Value> {
    let p = p.clone();
    db.run(move |c| {
        let m = Mappings::load(c, &p)?;
        let (_, by, at) = crate::models::dhis2::version_of(c, p.id)?;
        let by = match by {
            Some(id) => crate::models::user::find(c, id)?.display_name,
            None => String::new(),
        };
        let groups: Vec<Value> = KINDS
            .iter()
            .map(|(kind, label)| {
                let rows: Vec<Value> = m
                    .of_kind(kind)
                    .map(|i| {
                        json!({
                            "kind": i.kind, "item": i.item, "label": i.label,
                            "code": i.mapped.code, "uid": i.mapped.uid,
                            "default_code": i.default.code, "default_uid": i.default.uid,
                            "mapped": !(i.ids().code.is_empty() && i.ids().uid.is_empty()),
                        })
                    })
                    .collect();
                json!({ "kind": kind, "label": label, "rows": rows })
            })
            .filter(|g| g["rows"].as_array().is_some_and(|r| !r.is_empty()))
            .collect();
        let unmapped: Vec<String> = m
            .items
            .iter()
            .filter(|i| i.kind == "data_element" || i.kind == "org_unit" || i.kind == "coc")
            .filter(|i| i.ids().code.is_empty() && i.ids().uid.is_empty())
            .map(|i| format!("{} {}", i.kind.replace('_', " "), if i.item.is_empty() { "(total)" } else { &i.item }))
            .collect();
        Ok(json!({
            "programme": { "code": p.code, "name": p.name },
            "demo": p.is_demo,
            "version": m.version,
            "changed": at.map(|t| format!("{} {} UTC by {by}", crate::format::date(t.date()), t.format("%H:%M"))),
            "groups": groups,
            "unmapped": unmapped,
            // Mapped or not, these never leave: the exchange is a partners output.
            "internal": crate::models::framework::active_indicators_of(c, p.id)?
                .into_iter()
                .filter(|i| !crate::domain::disclosure::Audience::Partners.may_see(i.level()))
                .map(|i| i.code)
                .collect::<Vec<_>>(),
        }))
    })
    .await
}

async fn show_page(
    db: &Db,
    signed: &Signed,
    p: &Programme,
    status: Status,
    extra: Value,
) -> AppResult<(Status, Template)> {
    let mut ctx = page_context(db, p).await?;
    if let (Value::Object(m), Value::Object(x)) = (&mut ctx, extra) {
        m.extend(x);
    }
    Ok((status, render("dhis2", Some(signed), ctx)))
}

#[rocket::get("/programmes/<code>/dhis2")]
pub async fn page(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<(Status, Template)> {
    let p = super::programme_for(db, signed, code, Permission::Setup).await?;
    let flash = flash.map(|f| f.message().to_string());
    show_page(db, signed, &p, Status::Ok, json!({ "flash": flash })).await
}

type Saved = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

async fn answer(
    db: &Db,
    signed: &Signed,
    p: &Programme,
    saved: MappingSaved,
    sent: Value,
) -> Saved {
    match saved {
        MappingSaved::Done { version, changes } => Ok(Ok(Flash::success(
            Redirect::to(format!("/programmes/{}/dhis2", p.code)),
            match changes {
                0 => "Nothing changed: the mappings are as they were.".to_string(),
                n => format!(
                    "Saved {n} mapping change(s); the mappings are now at version {version}."
                ),
            },
        ))),
        MappingSaved::Invalid(problems) => Ok(Err(show_page(
            db,
            signed,
            p,
            Status::UnprocessableEntity,
            json!({ "problems": problems, "sent": sent, "error": mapping::describe(&problems) }),
        )
        .await?)),
        MappingSaved::Stale { version, by, at } => Ok(Err(show_page(
            db,
            signed,
            p,
            Status::Conflict,
            json!({ "error": mapping::stale_message(version, &by, at) }),
        )
        .await?)),
    }
}

/// The whole form: fields `KIND|ITEM|code` and `KIND|ITEM|uid`, and `version`.
#[rocket::post("/programmes/<code>/dhis2", data = "<form>")]
pub async fn save(db: &State<Db>, signed: &Signed, code: &str, form: CsrfForm<RawFields>) -> Saved {
    let p = super::programme_for(db, signed, code, Permission::Setup).await?;
    let raw = form.0;
    let version: i32 = raw
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            AppError::invalid("version", "the form lacks its version; reload the page")
        })?;
    let mut inputs: Vec<Input> = Vec::new();
    for (name, value) in raw.all() {
        let mut parts = name.rsplitn(2, '|');
        let (Some(field), Some(target)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some((kind, item)) = target.split_once('|') else {
            continue;
        };
        let at = format!(
            "{kind} {}",
            if item.is_empty() {
                "(total/programme)"
            } else {
                item
            }
        );
        let entry = match inputs.iter().position(|i| i.kind == kind && i.item == item) {
            Some(n) => &mut inputs[n],
            None => {
                inputs.push(Input {
                    at,
                    kind: kind.into(),
                    item: item.into(),
                    ..Default::default()
                });
                inputs.last_mut().expect("just pushed")
            }
        };
        match field {
            "code" => entry.code = value.to_string(),
            "uid" => entry.uid = value.to_string(),
            _ => {}
        }
    }
    let sent: Value = inputs
        .iter()
        .map(|i| {
            (
                format!("{}|{}", i.kind, i.item),
                json!({ "code": i.code, "uid": i.uid }),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    let (who, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| mapping::save(c, &who, &prog, version, &inputs, true, crate::clock::now()))
        .await?;
    answer(db, signed, &p, saved, sent).await
}

/// The mapping file: every item, its label, its code and UID (empty when not mapped).
#[rocket::get("/programmes/<code>/dhis2/mappings.csv")]
pub async fn mappings_csv(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
) -> AppResult<(ContentType, String)> {
    let p = super::programme_for(db, signed, code, Permission::Setup).await?;
    let text = db.run(move |c| Ok(Mappings::load(c, &p)?.csv())).await?;
    Ok((
        ContentType::new("text", "csv").with_params(("charset", "utf-8")),
        text,
    ))
}

#[derive(rocket::FromForm)]
pub struct UploadForm<'r> {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    version: String,
    file: Result<TempFile<'r>, rocket::form::Errors<'r>>,
}

/// A mapping CSV: the items it lists change (a blank code and UID clears one); any
/// problem, by line and column, and nothing is written.
#[rocket::post("/programmes/<code>/dhis2/mappings.csv", data = "<form>")]
pub async fn upload(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: Result<Form<UploadForm<'_>>, rocket::form::Errors<'_>>,
) -> Saved {
    let form = form.map_err(|e| super::unreadable_upload(&e))?;
    let p = super::programme_for(db, signed, code, Permission::Setup).await?;
    crate::auth::check_csrf(signed, &form.csrf)?;
    let version: i32 =
        form.version.trim().parse().map_err(|_| {
            AppError::invalid("version", "the form lacks its version; reload the page")
        })?;
    let Some(file) = super::uploaded(&form.file)?.filter(|f| f.len() > 0) else {
        return Err(AppError::invalid(
            "file",
            "choose a mapping CSV file to upload",
        ));
    };
    let mut bytes = Vec::with_capacity(file.len() as usize);
    {
        use rocket::tokio::io::AsyncReadExt;
        file.open().await?.read_to_end(&mut bytes).await?;
    }
    let inputs = match mapping::read_csv(&bytes) {
        Ok(i) => i,
        Err(problems) => {
            return answer(db, signed, &p, MappingSaved::Invalid(problems), Value::Null).await
        }
    };
    let (who, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| mapping::save(c, &who, &prog, version, &inputs, false, crate::clock::now()))
        .await?;
    answer(db, signed, &p, saved, Value::Null).await
}

// ---- the DHIS2-compatible endpoint ----

/// An answer of the endpoint: a body of a type, a status, and headers.
pub struct Reply {
    status: Status,
    content_type: ContentType,
    body: String,
    headers: Vec<(&'static str, String)>,
}

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        let mut r = Response::build();
        r.status(self.status).header(self.content_type);
        for (k, v) in self.headers {
            r.header(Header::new(k, v));
        }
        r.sized_body(self.body.len(), std::io::Cursor::new(self.body))
            .ok()
    }
}

/// A DHIS2 WebMessage: `{httpStatus, httpStatusCode, status: "ERROR", message}`.
fn message(status: Status, text: &str) -> Reply {
    let body = json!({
        "httpStatus": status.reason().unwrap_or(""),
        "httpStatusCode": status.code,
        "status": "ERROR",
        "message": text,
    });
    let mut headers = Vec::new();
    if status == Status::Unauthorized {
        headers.push((
            "WWW-Authenticate",
            "Basic realm=\"Mipaka DHIS2 API\"".to_string(),
        ));
    }
    Reply {
        status,
        content_type: ContentType::JSON,
        body: body.to_string(),
        headers,
    }
}

/// An application error as DHIS2 answers it: a wrong parameter or identifier is 409.
fn failed(e: AppError) -> Reply {
    let status = match &e {
        AppError::Invalid { .. } | AppError::Conflict(_) => Status::Conflict,
        other => Status::new(other.status_code()),
    };
    let (text, _) = e.public_message();
    message(status, &text)
}

/// Who is calling: found from the `Authorization` header only.
pub struct Caller(Result<ApiClient, Refused>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Caller {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let creds = match dauth::credentials(req.headers().get_one("Authorization")) {
            Ok(c) => c,
            Err(r) => return Outcome::Success(Caller(Err(r))),
        };
        let Some(db) = req.rocket().state::<Db>() else {
            return Outcome::Success(Caller(Err(Refused::Unauthorized("no database".into()))));
        };
        let policy = req
            .rocket()
            .state::<AuthSettings>()
            .map(|s| s.throttle)
            .unwrap_or_default();
        let ip = req
            .client_ip()
            .map(|i: IpAddr| i.to_string())
            .unwrap_or_default();
        let now = crate::clock::now();
        let found = match creds {
            Credentials::Token(t) => db.run(move |c| dauth::check_token(c, &t, now)).await,
            Credentials::Basic { user, password } => {
                let (u, i) = (user.clone(), ip.clone());
                match db
                    .run(move |c| dauth::throttle(c, &policy, &u, &i, now))
                    .await
                {
                    Ok(Ok(delay)) => {
                        if delay > 0 {
                            rocket::tokio::time::sleep(std::time::Duration::from_millis(delay))
                                .await;
                        }
                        db.run(move |c| dauth::check_password(c, &user, &password, &ip, now))
                            .await
                    }
                    Ok(Err(r)) => Ok(Err(r)),
                    Err(e) => Err(e),
                }
            }
        };
        Outcome::Success(Caller(found.unwrap_or_else(|e| {
            let (m, _) = e.public_message();
            Err(Refused::Unauthorized(m))
        })))
    }
}

impl Caller {
    fn client(self) -> Result<ApiClient, Box<Reply>> {
        self.0.map_err(|r| {
            Box::new(match r {
                Refused::Unauthorized(m) => message(Status::Unauthorized, &m),
                Refused::Throttled { minutes } => message(
                    Status::TooManyRequests,
                    &format!("too many failed sign-ins: try again in about {minutes} minute(s)"),
                ),
            })
        })
    }
}

/// The query string's pairs, decoded, in order.
pub struct Params(Vec<(String, String)>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Params {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let pairs = req
            .uri()
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_str().as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Outcome::Success(Params(pairs))
    }
}

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn programme(&self) -> Option<&str> {
        self.get("programme").or_else(|| self.get("dataSet"))
    }
}

/// The request's Accept and Content-Type headers.
pub struct Negotiation {
    accept: String,
    content_type: String,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Negotiation {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let h = |n: &str| req.headers().get_one(n).unwrap_or("").to_ascii_lowercase();
        Outcome::Success(Negotiation {
            accept: h("Accept"),
            content_type: h("Content-Type"),
        })
    }
}

/// `dataValueSets`, `dataValueSets.json` … → the suffix's format, if any; None when
/// the address is not the data value sets resource.
fn resource(name: &str) -> Option<Option<&str>> {
    match name {
        "dataValueSets" => Some(None),
        n => n
            .strip_prefix("dataValueSets.")
            .filter(|s| ["json", "xml", "csv", "adx", "adx.xml"].contains(s))
            .map(|s| Some(if s == "adx.xml" { "adx" } else { s })),
    }
}

#[rocket::get("/<name>", rank = 5)]
pub async fn pull(
    db: &State<Db>,
    caller: Caller,
    params: Params,
    neg: Negotiation,
    name: &str,
) -> Reply {
    let Some(suffix) = resource(name) else {
        return message(
            Status::NotFound,
            "Mipaka answers dataValueSets here (.json, .xml, .csv, .adx)",
        );
    };
    let client = match caller.client() {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let format = match suffix {
        Some(s) => Format::parse(s).unwrap_or(Format::Json),
        None if neg.accept.contains("application/adx+xml") => Format::Adx,
        None if neg.accept.contains("xml") => Format::Xml,
        None if neg.accept.contains("csv") => Format::Csv,
        None => Format::Json,
    };
    let default = if format == Format::Adx {
        IdScheme::Code
    } else {
        IdScheme::Uid
    };
    let schemes = match IdSchemes::from_params(params.pairs(), default) {
        Ok(s) => s,
        Err((_, m)) => return message(Status::Conflict, &m),
    };
    let Some(code) = params.programme().map(str::to_string) else {
        return message(
            Status::Conflict,
            "give the programme as dataSet=CODE (or programme=CODE)",
        );
    };
    let span = match Span::from_params(
        params.get("period"),
        params.get("startDate"),
        params.get("endDate"),
    ) {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let org_units: Vec<String> = params
        .pairs()
        .filter(|(k, _)| k.eq_ignore_ascii_case("orgUnit"))
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
        .filter(|v| !v.is_empty())
        .collect();
    // Counties are the leaves of Mipaka's hierarchy: children=true adds none.
    if let Some(v) = params.get("children") {
        if !["true", "false"].contains(&v.trim().to_ascii_lowercase().as_str()) {
            return message(
                Status::Conflict,
                &format!("children is true or false, not '{v}'"),
            );
        }
    }
    let input_scheme = match params
        .get("inputOrgUnitIdScheme")
        .or_else(|| params.get("inputIdScheme"))
        .map(|v| match v.trim().to_ascii_lowercase().as_str() {
            "id" | "uid" => Ok(IdScheme::Uid),
            "code" => Ok(IdScheme::Code),
            _ => Err(format!(
                "inputOrgUnitIdScheme is id (uid) or code, not '{v}'"
            )),
        })
        .transpose()
    {
        Ok(s) => s.unwrap_or(schemes.org_unit),
        Err(m) => return message(Status::Conflict, &m),
    };
    let access = client.access.clone();
    let done = db
        .run(move |c| {
            let p = access.programme(c, &code.to_uppercase(), Permission::ViewDashboard)?;
            export::export_of(
                c,
                &p,
                span,
                schemes,
                format,
                Some(export::OrgUnits {
                    ids: &org_units,
                    scheme: input_scheme,
                }),
                crate::clock::now(),
            )
        })
        .await;
    match done {
        Ok(x) => {
            let mut headers = Vec::new();
            if let Some(note) = x.note() {
                let short: String = note
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(2000)
                    .collect();
                headers.push(("X-Mipaka-Unmapped", short));
            }
            let ct = match format {
                Format::Json => ContentType::JSON,
                Format::Xml => ContentType::XML,
                Format::Csv => ContentType::new("application", "csv"),
                Format::Adx => ContentType::new("application", "adx+xml"),
            };
            Reply {
                status: Status::Ok,
                content_type: ct,
                body: x.body,
                headers,
            }
        }
        Err(e) => failed(e),
    }
}

#[rocket::post("/<name>", data = "<data>", rank = 5)]
pub async fn push(
    db: &State<Db>,
    caller: Caller,
    params: Params,
    neg: Negotiation,
    name: &str,
    data: Data<'_>,
) -> Reply {
    let Some(suffix) = resource(name) else {
        return message(
            Status::NotFound,
            "Mipaka answers dataValueSets here (.json, .xml, .csv, .adx)",
        );
    };
    let client = match caller.client() {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let payload = match suffix {
        Some("adx") => Some(Payload::Adx),
        Some("json") => Some(Payload::Json),
        Some("xml") => Some(Payload::Xml),
        Some("csv") => Some(Payload::Csv),
        _ => Payload::from_media_type(&neg.content_type),
    };
    let Some(payload) = payload.filter(|_| suffix.is_some() || !neg.content_type.is_empty()) else {
        return message(
            Status::UnsupportedMediaType,
            "send the data value set as application/json, application/xml, application/csv or application/adx+xml",
        );
    };
    if suffix.is_some()
        && !neg.content_type.is_empty()
        && Payload::from_media_type(&neg.content_type).is_none()
        && !neg.content_type.starts_with("text/plain")
    {
        return message(
            Status::UnsupportedMediaType,
            "the Content-Type is not one a data value set is sent as",
        );
    }
    let bytes = match data
        .open(crate::UPLOAD_LIMIT_MIB.mebibytes())
        .into_bytes()
        .await
    {
        Ok(b) if b.is_complete() => b.into_inner(),
        Ok(_) => return message(Status::PayloadTooLarge, &super::too_large_message()),
        Err(e) => {
            return message(
                Status::BadRequest,
                &format!("the body could not be read: {e}"),
            )
        }
    };
    let set = match payload.read(&bytes) {
        Ok(s) => s,
        Err(e) => return message(Status::BadRequest, &format!("{}: {}", e.at, e.message)),
    };
    let strategy = match params
        .get("importStrategy")
        .map(Strategy::parse)
        .transpose()
    {
        Ok(s) => s.unwrap_or(Strategy::CreateAndUpdate),
        Err(m) => return message(Status::Conflict, &m),
    };
    let dry_run = match params.get("dryRun").map(|v| v.trim().to_ascii_lowercase()) {
        None => false,
        Some(v) if v == "true" => true,
        Some(v) if v == "false" => false,
        Some(v) => {
            return message(
                Status::Conflict,
                &format!("dryRun is true or false, not '{v}'"),
            )
        }
    };
    let opts = Options {
        strategy,
        dry_run,
        scheme_params: params.0.clone(),
        default_scheme: payload.default_scheme(),
    };
    let chosen = params.programme().map(str::to_string);
    let (access, who) = (client.access.clone(), client.actor());
    let done = db
        .run(move |c| {
            let p = import::choose_programme(c, &set, chosen.as_deref())?;
            let p = access.programme(c, &p.code, Permission::Edit)?;
            import::import(c, &who, &p, &set, &opts, crate::clock::now())
        })
        .await;
    match done {
        Ok(summary) => {
            let status = if summary.status == ImportStatus::Error {
                Status::Conflict
            } else {
                Status::Ok
            };
            // XML when asked for: `Accept: application/xml` or the `.xml` address.
            let xml = suffix == Some("xml")
                || (neg.accept.contains("application/xml") || neg.accept.contains("text/xml"))
                    && !neg.accept.contains("application/json");
            let (content_type, body) = if xml {
                (ContentType::XML, summary.xml())
            } else {
                (
                    ContentType::JSON,
                    serde_json::to_string_pretty(&summary).unwrap_or_default(),
                )
            };
            Reply {
                status,
                content_type,
                body,
                headers: Vec::new(),
            }
        }
        Err(e) => failed(e),
    }
}

/// What /dhis2 answers where no route does (a method it does not take, a malformed
/// request): a DHIS2 WebMessage.
#[rocket::catch(default)]
fn caught(status: Status, _req: &Request<'_>) -> Reply {
    message(status, status.reason().unwrap_or("error"))
}

pub fn catchers() -> Vec<rocket::Catcher> {
    rocket::catchers![caught]
}
