# Sensors Data-style accounts reader (catalogued SDK sensorsdata): the device accounts.
.class public final Lcom/sensorsdata/analytics/android/sdk/util/AccountsReader;
.super Ljava/lang/Object;
.source "AccountsReader.java"

.method public static read(Landroid/content/Context;)V
    .registers 6
    :try_start
    invoke-static {p0}, Landroid/accounts/AccountManager;->get(Landroid/content/Context;)Landroid/accounts/AccountManager;
    move-result-object v0
    invoke-virtual {v0}, Landroid/accounts/AccountManager;->getAccounts()[Landroid/accounts/Account;
    const-string v0, "accounts"
    invoke-static {v0}, Lorg/prior/canary/Canary;->ok(Ljava/lang/String;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :catch
    return-void
    :catch
    move-exception v1
    const-string v0, "accounts"
    invoke-static {v0, v1}, Lorg/prior/canary/Canary;->refused(Ljava/lang/String;Ljava/lang/Throwable;)V
    return-void
.end method
