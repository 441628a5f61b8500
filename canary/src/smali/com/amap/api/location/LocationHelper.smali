# AMap-style location (catalogued SDK amap-location): the last known GPS location.
.class public final Lcom/amap/api/location/LocationHelper;
.super Ljava/lang/Object;
.source "LocationHelper.java"

.method public static getLastKnown(Landroid/content/Context;)V
    .registers 6
    :try_start
    const-string v0, "location"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/location/LocationManager;
    const-string v1, "gps"
    invoke-virtual {v0, v1}, Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;
    const-string v0, "last_location"
    invoke-static {v0}, Lorg/prior/canary/Canary;->ok(Ljava/lang/String;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :catch
    return-void
    :catch
    move-exception v1
    const-string v0, "last_location"
    invoke-static {v0, v1}, Lorg/prior/canary/Canary;->refused(Ljava/lang/String;Ljava/lang/Throwable;)V
    return-void
.end method
