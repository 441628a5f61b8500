# Bugly-style device info (catalogued SDK tencent-bugly): the phone number.
.class public final Lcom/tencent/bugly/crashreport/common/info/DeviceInfo;
.super Ljava/lang/Object;
.source "DeviceInfo.java"

.method public static getPhoneNumber(Landroid/content/Context;)V
    .registers 6
    :try_start
    const-string v0, "phone"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/telephony/TelephonyManager;
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getLine1Number()Ljava/lang/String;
    const-string v0, "phone_number"
    invoke-static {v0}, Lorg/prior/canary/Canary;->ok(Ljava/lang/String;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :catch
    return-void
    :catch
    move-exception v1
    const-string v0, "phone_number"
    invoke-static {v0, v1}, Lorg/prior/canary/Canary;->refused(Ljava/lang/String;Ljava/lang/Throwable;)V
    return-void
.end method
