# Runs the pre-consent accesses in the order of canary/accesses.toml, and logs each result.
.class public final Lorg/prior/canary/Canary;
.super Ljava/lang/Object;
.source "Canary.java"

.method public static beforeConsent(Landroid/content/Context;)V
    .registers 3
    const-string v0, "PriorCanary"
    const-string v1, "canary: before consent"
    invoke-static {v0, v1}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I
    invoke-static {p0}, Lcom/umeng/commonsdk/statistics/common/DeviceConfig;->getAndroidId(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/umeng/commonsdk/statistics/common/DeviceConfig;->getImei(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/tencent/bugly/crashreport/common/info/DeviceInfo;->getPhoneNumber(Landroid/content/Context;)V
    invoke-static {p0}, Lcn/jpush/android/helper/AppListHelper;->getInstalledApps(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/amap/api/location/LocationHelper;->getLastKnown(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/mob/tools/utils/ContactsReader;->query(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/bytedance/applog/util/ClipboardReader;->read(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/igexin/push/util/WifiReader;->read(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/sensorsdata/analytics/android/sdk/util/AccountsReader;->read(Landroid/content/Context;)V
    new-instance v0, Ljava/lang/Thread;
    new-instance v1, Lcom/umeng/commonsdk/statistics/TrackerPing;
    invoke-direct {v1}, Lcom/umeng/commonsdk/statistics/TrackerPing;-><init>()V
    invoke-direct {v0, v1}, Ljava/lang/Thread;-><init>(Ljava/lang/Runnable;)V
    invoke-virtual {v0}, Ljava/lang/Thread;->start()V
    return-void
.end method

.method public static ok(Ljava/lang/String;)V
    .registers 4
    const-string v0, "PriorCanary"
    new-instance v1, Ljava/lang/StringBuilder;
    const-string v2, "canary "
    invoke-direct {v1, v2}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v1, p0}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    const-string v2, ": read"
    invoke-virtual {v1, v2}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v1}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v1
    invoke-static {v0, v1}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I
    return-void
.end method

.method public static refused(Ljava/lang/String;Ljava/lang/Throwable;)V
    .registers 5
    const-string v0, "PriorCanary"
    new-instance v1, Ljava/lang/StringBuilder;
    const-string v2, "canary "
    invoke-direct {v1, v2}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v1, p0}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    const-string v2, ": refused"
    invoke-virtual {v1, v2}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    invoke-virtual {v1}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v1
    invoke-static {v0, v1, p1}, Landroid/util/Log;->w(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    return-void
.end method
