# MobTech-style contacts reader (catalogued SDK mobtech-core): a contacts query.
.class public final Lcom/mob/tools/utils/ContactsReader;
.super Ljava/lang/Object;
.source "ContactsReader.java"

.method public static query(Landroid/content/Context;)V
    .registers 7
    :try_start
    invoke-virtual {p0}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    sget-object v1, Landroid/provider/ContactsContract$Contacts;->CONTENT_URI:Landroid/net/Uri;
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    move-result-object v0
    if-eqz v0, :no_cursor
    invoke-interface {v0}, Landroid/database/Cursor;->close()V
    :no_cursor
    const-string v0, "contacts"
    invoke-static {v0}, Lorg/prior/canary/Canary;->ok(Ljava/lang/String;)V
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :catch
    return-void
    :catch
    move-exception v1
    const-string v0, "contacts"
    invoke-static {v0, v1}, Lorg/prior/canary/Canary;->refused(Ljava/lang/String;Ljava/lang/Throwable;)V
    return-void
.end method
