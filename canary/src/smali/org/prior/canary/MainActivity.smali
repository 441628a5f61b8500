# The launcher activity: performs every pre-consent access (Canary.beforeConsent), then shows
# the 同意 / 不同意 consent dialog. Field reference of the accesses: canary/accesses.toml.
.class public Lorg/prior/canary/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 4
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Landroid/widget/TextView;
    invoke-direct {v0, p0}, Landroid/widget/TextView;-><init>(Landroid/content/Context;)V
    const-string v1, "Prior canary"
    invoke-virtual {v0, v1}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V
    invoke-virtual {p0, v0}, Lorg/prior/canary/MainActivity;->setContentView(Landroid/view/View;)V
    invoke-static {p0}, Lorg/prior/canary/Canary;->beforeConsent(Landroid/content/Context;)V
    invoke-direct {p0}, Lorg/prior/canary/MainActivity;->showConsent()V
    return-void
.end method

.method private showConsent()V
    .registers 5
    new-instance v0, Landroid/app/AlertDialog$Builder;
    invoke-direct {v0, p0}, Landroid/app/AlertDialog$Builder;-><init>(Landroid/content/Context;)V
    # 用户协议与隐私政策
    const-string v1, "\u7528\u6237\u534f\u8bae\u4e0e\u9690\u79c1\u653f\u7b56"
    invoke-virtual {v0, v1}, Landroid/app/AlertDialog$Builder;->setTitle(Ljava/lang/CharSequence;)Landroid/app/AlertDialog$Builder;
    # 本应用会在您同意前读取个人信息（设备标识、位置、应用列表、通讯录、剪贴板、账户），用于检验 Prior 能否发现。
    const-string v1, "\u672c\u5e94\u7528\u4f1a\u5728\u60a8\u540c\u610f\u524d\u8bfb\u53d6\u4e2a\u4eba\u4fe1\u606f\uff08\u8bbe\u5907\u6807\u8bc6\u3001\u4f4d\u7f6e\u3001\u5e94\u7528\u5217\u8868\u3001\u901a\u8baf\u5f55\u3001\u526a\u8d34\u677f\u3001\u8d26\u6237\uff09\uff0c\u7528\u4e8e\u68c0\u9a8c Prior \u80fd\u5426\u53d1\u73b0\u3002"
    invoke-virtual {v0, v1}, Landroid/app/AlertDialog$Builder;->setMessage(Ljava/lang/CharSequence;)Landroid/app/AlertDialog$Builder;
    const/4 v1, 0x0
    invoke-virtual {v0, v1}, Landroid/app/AlertDialog$Builder;->setCancelable(Z)Landroid/app/AlertDialog$Builder;
    # 同意 (accept)
    new-instance v2, Lorg/prior/canary/ConsentListener;
    const/4 v3, 0x1
    invoke-direct {v2, p0, v3}, Lorg/prior/canary/ConsentListener;-><init>(Landroid/app/Activity;Z)V
    const-string v1, "\u540c\u610f"
    invoke-virtual {v0, v1, v2}, Landroid/app/AlertDialog$Builder;->setPositiveButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    # 不同意 (reject)
    new-instance v2, Lorg/prior/canary/ConsentListener;
    const/4 v3, 0x0
    invoke-direct {v2, p0, v3}, Lorg/prior/canary/ConsentListener;-><init>(Landroid/app/Activity;Z)V
    const-string v1, "\u4e0d\u540c\u610f"
    invoke-virtual {v0, v1, v2}, Landroid/app/AlertDialog$Builder;->setNegativeButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    invoke-virtual {v0}, Landroid/app/AlertDialog$Builder;->show()Landroid/app/AlertDialog;
    return-void
.end method
