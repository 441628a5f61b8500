# Getui-style Wi-Fi reader (catalogued SDK getui): the Wi-Fi connection (MAC, SSID).
.class public final Lcom/igexin/push/util/WifiReader;
.super Ljava/lang/Object;
.source "WifiReader.java"

.method public static read(Landroid/content/Context;)V
    .registers 6
    :try_start
    invoke-virtual {p0}, Landroid/content/Context;->getApplicationContext()Landroid/content/Context;
    move-result-object v0
    const-string v1, "wifi"
    invoke-virtual {v0, v1}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/net/wifi/WifiManager;
    invoke-virtual {v0}, Landroid/net/wifi/WifiManager;->getConnectionInfo()Landroid/net/wifi/WifiInfo;
    move-result-object v0
    if-eqz v0, :no_info
    invoke-virtual {v0}, Landroid/net/wifi/WifiInfo;->getMacAddress()Ljava/lang/String;
    invoke-virtual {v0}, Landroid/net/wifi/WifiInfo;->getSSID()Ljava/lang/String;
    :no_info
    const-string v0, "wifi_info"
    invoke-static {v0}, Lorg/prior/canary/Canary;->ok(Ljava/lang/String;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :catch
    return-void
    :catch
    move-exception v1
    const-string v0, "wifi_info"
    invoke-static {v0, v1}, Lorg/prior/canary/Canary;->refused(Ljava/lang/String;Ljava/lang/Throwable;)V
    return-void
.end method
