# The consent dialog's buttons: 同意 runs AfterConsent.installedPackages; 不同意 only logs.
.class public Lorg/prior/canary/ConsentListener;
.super Ljava/lang/Object;
.source "ConsentListener.java"
.implements Landroid/content/DialogInterface$OnClickListener;

.field private final activity:Landroid/app/Activity;
.field private final accept:Z

.method public constructor <init>(Landroid/app/Activity;Z)V
    .registers 3
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lorg/prior/canary/ConsentListener;->activity:Landroid/app/Activity;
    iput-boolean p2, p0, Lorg/prior/canary/ConsentListener;->accept:Z
    return-void
.end method

.method public onClick(Landroid/content/DialogInterface;I)V
    .registers 6
    const-string v0, "PriorCanary"
    iget-boolean v1, p0, Lorg/prior/canary/ConsentListener;->accept:Z
    if-eqz v1, :rejected
    const-string v1, "canary: consent accepted"
    invoke-static {v0, v1}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I
    iget-object v2, p0, Lorg/prior/canary/ConsentListener;->activity:Landroid/app/Activity;
    invoke-static {v2}, Lorg/prior/canary/AfterConsent;->installedPackages(Landroid/content/Context;)V
    return-void
    :rejected
    const-string v1, "canary: consent rejected"
    invoke-static {v0, v1}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I
    return-void
.end method
