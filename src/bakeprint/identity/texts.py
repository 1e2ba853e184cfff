"""Interface texts of the account pages (zh-CN, English); merged into
``bakeprint.web.i18n.TEXTS``."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "users_page": ("用户与令牌", "Users and tokens"),
    "account": ("我的账号", "My account"),
    "users": ("用户", "Users"),
    "roles": ("角色", "Roles"),
    "shop": ("门店", "Shop"),
    "no_shop_set": ("（未绑定）", "(none)"),
    "active": ("启用", "Active"),
    "inactive": ("已停用", "Deactivated"),
    "deactivate": ("停用", "Deactivate"),
    "activate": ("重新启用", "Activate again"),
    "set_shop": ("绑定门店", "Set the shop"),
    "add_user": ("添加用户", "Add a user"),
    "display_name": ("显示名称", "Display name"),
    "tokens": ("API 令牌", "API tokens"),
    "token_name": ("用途", "What it is for"),
    "token_user": ("给谁", "For whom"),
    "token_days": ("有效天数（留空为不过期）", "Valid for days (empty: no end)"),
    "issue_token": ("签发令牌", "Issue a token"),
    "revoke": ("撤销", "Revoke"),
    "token_status_active": ("有效", "active"),
    "token_status_expired": ("已过期", "expired"),
    "token_status_revoked": ("已撤销", "revoked"),
    "expires": ("到期", "Ends"),
    "never": ("不过期", "never"),
    "token_once": (
        "请立即复制保存：此令牌只显示这一次，服务器只保存它的哈希值。",
        "Copy it now: this token is shown only once; the server keeps only its hash.",
    ),
    "security_log": ("安全记录", "Security log"),
    "change_password": ("修改密码", "Change the password"),
    "old_password": ("当前密码", "Current password"),
    "new_password": ("新密码（至少 8 位）", "New password (8+ characters)"),
    "new_password_again": ("再次输入新密码", "The new password again"),
    "passwords_differ": ("两次输入的新密码不一致", "the two new passwords differ"),
    "password_changed": (
        "密码已修改；其他设备上的登录已退出。",
        "Password changed; logins on other devices were ended.",
    ),
    "done_user": ("已保存", "Saved"),
    "done_revoke": ("令牌已撤销", "Token revoked"),
    "no_shop": (
        "您的账号还没有绑定门店：请店主在“用户与令牌”页面绑定",
        "your account is not tied to a shop: ask the owner to set it on the "
        "Users and tokens page",
    ),
}
