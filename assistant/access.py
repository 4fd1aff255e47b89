"""Who may do what: roles, the actions each allows, how a caller is identified, and the audit trail of it.

Three ways to run (`access_mode`):
  open      no account defined and the app on a loopback address: today's single-user behaviour, everything
            allowed, the caller is `LOCAL_USER`;
  password  an account exists or the app listens on another address: every page, event and API call needs a
            login (Gradio's `auth`, checked against vectorstore.accounts);
  header    `NIANBAO_AUTH_HEADER` names a header the office's reverse proxy / SSO sets to the account name;
            only requests from `NIANBAO_TRUSTED_PROXIES` (default loopback) are believed.
`Gate.caller(username, client)` turns a request into a `Caller` (name and role, read afresh from the store on
every call, so a removed account or a changed role takes effect at once); `Gate.require(caller, action)` raises
`AccessDenied` and records the refusal. Roles are cumulative: viewer < editor < admin.

Sessions (password mode): `SessionTokens` stands in for Gradio's in-memory token table, so a login is a row of
vectorstore.accounts.SessionStore bound to the account's uid and credential version, checked in the database on
every request; a password change, a role change or a removal ends it in every web process. Failed logins lock a
name only from the address they came from (MAX_FAILED_LOGINS in LOCKOUT_MINUTES), so nobody can lock the
administrator out from elsewhere; `nianbao user unlock NAME` lifts a lock (`unlock`).
"""
from __future__ import annotations

import contextvars
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ingest.errors import UserError
from vectorstore.accounts import ROLE_LABELS, ROLES, AccountStore, AuditLog, SessionStore
from ingest.settings import Settings, setting

ENV_AUTH_HEADER = setting("auth_header").name
ENV_TRUSTED_PROXIES = setting("trusted_proxies").name
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"
LOCAL_USER = "本机用户"
MAX_FAILED_LOGINS = 5               # failed logins of one name from one address within LOCKOUT_MINUTES lock that pair
LOCKOUT_MINUTES = 15

# The least role each action needs.
ACTION_ROLE = {
    "ask": "viewer", "check": "viewer", "compare": "viewer", "download": "viewer",
    "inspect": "viewer",                # 体检 of a group: reads the stored findings, makes the 通报 and 问题清单
    "upload": "editor", "reingest": "editor", "remove": "editor", "edition": "editor", "draft": "editor",
    "review": "editor", "group": "editor", "correct": "editor",
    "score_confirm": "editor",          # confirm a held deduction of a score (issue 26)
    "season": "viewer",                 # the season board (issue 25): who published, who is late
    "roster": "editor", "harvest": "editor",   # change the roster / assign a report; fetch reports from sites
    "users": "admin", "audit": "admin",
}
ACTION_LABELS = {
    "ask": "提问", "check": "核查", "compare": "对比", "download": "下载", "upload": "上传入库", "reingest": "重新入库",
    "remove": "删除报告", "edition": "改用版本", "draft": "起草", "review": "审阅草稿", "inspect": "体检", "group": "设置分组", "correct": "人工校正", "users": "管理账号", "audit": "查看审计日志",
    "score_confirm": "确认扣分", "season": "查看发布情况", "roster": "修改名册", "harvest": "采集年报",
    "export": "导出", "login": "登录", "login_failed": "登录失败", "denied": "越权被拒",
    "login_locked": "登录被暂停", "login_unlock": "解除登录暂停", "user_add": "添加账号", "user_passwd": "修改密码", "user_remove": "删除账号", "user_role": "修改角色",
}

CHANNEL_LABELS = {"web": "网页", "api": "接口", "cli": "命令行"}
BEIJING = timezone(timedelta(hours=8))          # officials read Beijing time (UTC+8, no summer time)
SHOWN_TIME = "%Y-%m-%d %H:%M"
AUDIT_HEADERS = ["序号", "时间（北京时间）", "账号", "角色", "操作", "对象", "说明", "结果", "渠道", "来源地址"]
_ROLE_DETAIL_ACTIONS = ("user_add", "user_role", "user_remove")


def beijing_time(stamp: str | None) -> str:
    """A stored UTC ISO time as officials read it: “2026-12-07T01:30:00+00:00” → “2026-12-07 09:30”."""
    if not stamp:
        return ""
    try:
        t = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(BEIJING).strftime(SHOWN_TIME)


def audit_row(e) -> list:
    """One audit entry (vectorstore.accounts.AuditEntry) as officials read it, in AUDIT_HEADERS order: Beijing
    time, role, action and channel in Chinese."""
    detail = e.detail or ""
    if e.action in _ROLE_DETAIL_ACTIONS and detail in ROLE_LABELS:
        detail = ROLE_LABELS[detail]
    return [e.seq, beijing_time(e.at), e.user, ROLE_LABELS.get(e.role, e.role or ""), ACTION_LABELS.get(e.action, e.action),
            e.target or "", detail, "成功" if e.ok else "失败", CHANNEL_LABELS.get(e.channel, e.channel or ""),
            e.client or ""]


# The address of the request being served (set by the web app's middleware), for Gradio's `auth` callable and
# its token table, which are not given the request.
request_client: contextvars.ContextVar[str | None] = contextvars.ContextVar("nianbao_request_client", default=None)


class AccessDenied(UserError):
    """The caller is not logged in, or their role does not allow the action. Chinese message."""


@dataclass(frozen=True)
class Caller:
    name: str
    role: str
    client: str | None = None


def allowed(role: str | None, action: str) -> bool:
    need = ACTION_ROLE[action]
    return role in ROLES and ROLES.index(role) >= ROLES.index(need)


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def access_mode(accounts: AccountStore, host: str) -> str:
    if Settings.from_env().auth_header:
        return "header"
    return "password" if accounts.count() or not is_loopback(host) else "open"


def trusted_proxies() -> list:
    out = []
    for part in (Settings.from_env().trusted_proxies or DEFAULT_TRUSTED_PROXIES).split(","):
        part = part.strip()
        if part:
            out.append(ipaddress.ip_network(part, strict=False))
    return out


@dataclass
class Gate:
    accounts: AccountStore
    audit: AuditLog
    mode: str                                  # open | password | header

    @property
    def header(self) -> str | None:
        return Settings.from_env().auth_header if self.mode == "header" else None

    # -- logging in ---------------------------------------------------------------------------------
    def login(self, name: str, password: str, client: str | None = None) -> bool:
        """Gradio's `auth` callable: checks the password and records the login or the failed login with the
        source address (`client`, default the request's, `request_client`). After MAX_FAILED_LOGINS failures
        of a name from one address in LOCKOUT_MINUTES that name is refused from that address until the window
        passes or an administrator runs `nianbao user unlock`; other addresses can still log in."""
        client = client if client is not None else request_client.get()
        shown = (name or "").strip()[:64] or "（空）"
        since = (datetime.now(timezone.utc) - timedelta(minutes=LOCKOUT_MINUTES)).isoformat(timespec="seconds")
        if self.audit.count_since(shown, "login_failed", since, client=client or "", after_unlock=True) >= MAX_FAILED_LOGINS:
            self.audit.record(shown, "login_locked", ok=False, client=client,
                              detail=f"{LOCKOUT_MINUTES} 分钟内从该地址失败 {MAX_FAILED_LOGINS} 次")
            return False
        account = self.accounts.verify(name, password)
        self.audit.record(shown, "login" if account else "login_failed", role=account.role if account else None,
                          ok=account is not None, client=client)
        return account is not None

    def header_user(self, headers, client_host: str | None) -> str | None:
        """Gradio's `auth_dependency` in header mode: the account named by the proxy's header, when the request
        came from a trusted proxy and the account exists; None otherwise (Gradio answers 401)."""
        name = (headers.get(self.header) or "").strip() if self.header else ""
        if not name or not client_host:
            return None
        try:
            address = ipaddress.ip_address(client_host)
        except ValueError:
            return None
        if not any(address in net for net in trusted_proxies()):
            return None
        return name if self.accounts.get(name) else None

    # -- each event ---------------------------------------------------------------------------------
    def caller(self, username: str | None, client: str | None = None) -> Caller:
        if self.mode == "open":
            if username is None and self.accounts.count():
                raise AccessDenied("已设置账号：请重启网页服务，之后须登录才能使用。")
            return Caller(LOCAL_USER, "admin", client)
        account = self.accounts.get(username)
        if account is None:
            raise AccessDenied("请先登录（账号不存在或已被删除）。")
        return Caller(account.name, account.role, client)

    def require(self, caller: Caller, action: str, target: str | None = None) -> None:
        if allowed(caller.role, action):
            return
        self.audit.record(caller.name, "denied", role=caller.role, target=target, detail=action, ok=False,
                          client=caller.client)
        need = ACTION_ROLE[action]
        raise AccessDenied(f"权限不足：“{ACTION_LABELS[action]}”需要{ROLE_LABELS[need]}（{need}）及以上角色，"
                           f"您的角色是{ROLE_LABELS.get(caller.role, caller.role)}（{caller.role}）。请联系管理员。")

    def record(self, caller: Caller, action: str, target: str | None = None, detail: str | None = None,
               ok: bool = True, channel: str = "web") -> None:
        self.audit.record(caller.name, action, role=caller.role, target=target, detail=detail, ok=ok,
                          channel=channel, client=caller.client)


def unlock(audit: AuditLog, name: str, by: str, channel: str = "cli") -> None:
    """Lift the login lock of `name` from every address (failures before this entry no longer count)."""
    audit.record(by, "login_unlock", target=name, channel=channel)


class SessionTokens(dict):
    """Gradio's `app.tokens` (session token → account name) kept in the database instead of the process: a
    login (`tokens[token] = name`) opens a SessionStore row bound to the account as it is; a lookup answers the
    name only while the account still has that uid and credential version. Nothing is kept in the process, so
    every web process over the library sees a session end at once."""

    def __init__(self, sessions: SessionStore):
        super().__init__()
        self.sessions = sessions

    def __setitem__(self, token: str, name: str) -> None:
        self.sessions.open(token, name, request_client.get())

    def get(self, token, default=None):
        name = self.sessions.name_of(token) if isinstance(token, str) else None
        return default if name is None else name

    def __getitem__(self, token):
        name = self.get(token)
        if name is None:
            raise KeyError(token)
        return name

    def __contains__(self, token) -> bool:
        return self.get(token) is not None

    def __delitem__(self, token) -> None:
        self.sessions.end(token)
