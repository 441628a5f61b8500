# Umeng-style upload (catalogued SDK umeng-common, tracker host ulogs.umeng.com): a DNS lookup
# and a TLS handshake, on a background thread. Failures (no network) are logged and ignored.
.class public final Lcom/umeng/commonsdk/statistics/TrackerPing;
.super Ljava/lang/Object;
.source "TrackerPing.java"
.implements Ljava/lang/Runnable;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public run()V
    .registers 5
    :try_start
    const-string v0, "ulogs.umeng.com"
    invoke-static {v0}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    invoke-static {}, Ljavax/net/ssl/SSLSocketFactory;->getDefault()Ljavax/net/SocketFactory;
    move-result-object v1
    const/16 v2, 0x1bb
    invoke-virtual {v1, v0, v2}, Ljavax/net/SocketFactory;->createSocket(Ljava/lang/String;I)Ljava/net/Socket;
    move-result-object v1
    check-cast v1, Ljavax/net/ssl/SSLSocket;
    const/16 v2, 0x2710
    invoke-virtual {v1, v2}, Ljava/net/Socket;->setSoTimeout(I)V
    invoke-virtual {v1}, Ljavax/net/ssl/SSLSocket;->startHandshake()V
    invoke-virtual {v1}, Ljava/net/Socket;->close()V
    const-string v0, "tracker_contact"
    invoke-static {v0}, Lorg/prior/canary/Canary;->ok(Ljava/lang/String;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :catch
    return-void
    :catch
    move-exception v1
    const-string v0, "tracker_contact"
    invoke-static {v0, v1}, Lorg/prior/canary/Canary;->refused(Ljava/lang/String;Ljava/lang/Throwable;)V
    return-void
.end method
