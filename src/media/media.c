/*
 * media.c - the media library's files: type by content, safety checks,
 * re-encoding and derived sizes with libvips.
 *
 * Nothing uploaded is served as it came. The type is what libmagic reads
 * in the bytes (never the name); an image is then opened by libvips
 * header-first, so its claimed size is checked before a single pixel is
 * decoded (a decompression bomb is refused cheaply), decoded in full with
 * fail_on=truncated (a cut-off file is an error, not a grey half), turned
 * upright (EXIF orientation), converted to sRGB through its ICC profile,
 * and written out again with all metadata stripped: EXIF (GPS, camera,
 * author), XMP, IPTC and the profile itself (the pixels are sRGB now,
 * which is what a browser assumes without one). Bytes that are two
 * formats at once (a polyglot: an image that is also HTML, a script, a
 * PDF or an archive) are refused, although re-encoding would drop them,
 * so that the editor learns the file was not what it seemed.
 *
 * Files are named by the SHA-256 of the uploaded bytes (its first 128 bits
 * in hex): "<hash>.jpg" (or .png with transparency) at full size, and
 * "<hash>-<width>.<webp|jpg|avif>" for each derived width. The same upload
 * is the same names, so identical files are stored once and a URL never
 * changes meaning, which lets them be cached as immutable.
 *
 * PDFs are documents: kept as uploaded (after checking they are whole
 * PDFs and nothing else), never rendered.
 */
#define LOG_MODULE "media"
#include "media/media.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#define HASH_HEX 32 /* 128 bits of SHA-256: names stay short, no clash */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;
static bool avif_ok; /* Debian's libheif may lack an AV1 encoder */

/* libvips' warnings (e.g. "ignoring nclx profile") are not the editor's
 * business; they go to the debug log instead of stderr. */
static void vips_warning(const gchar *domain, GLogLevelFlags level,
                         const gchar *msg, gpointer data)
{
    (void)domain, (void)level, (void)data;
    log_debug("libvips: %s", msg);
}

static void init_vips(void)
{
    if (VIPS_INIT("quire") != 0) {
        log_error("libvips cannot start: %s", vips_error_buffer());
        init_rc = ERR_IO;
        return;
    }
    /* Loaders libvips marks untrusted (ImageMagick, PDF, ...) are never
     * offered bytes from outside. */
    vips_block_untrusted_set(TRUE);
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE,
                      vips_warning, NULL);
    vips_cache_set_max(0); /* every upload is new: caching only holds RAM */
    VipsImage *probe = vips_image_new_matrix(16, 16);
    VipsImage *rgb = NULL;
    void *buf = NULL;
    size_t len = 0;
    if (probe && vips_bandjoin_const1(probe, &rgb, 0, NULL) == 0 &&
        vips_heifsave_buffer(rgb, &buf, &len, "compression",
                             VIPS_FOREIGN_HEIF_COMPRESSION_AV1, NULL) == 0)
        avif_ok = len > 0;
    vips_error_clear();
    g_free(buf);
    if (rgb)
        g_object_unref(rgb);
    if (probe)
        g_object_unref(probe);
}

int media_init(void)
{
    pthread_once(&once, init_vips);
    return init_rc;
}

char *media_dir_for_db(const char *db)
{
    char *copy = xstrdup(db);
    const char *d = dirname(copy);
    size_t n = strlen(d) + sizeof("/media");
    char *out = xmalloc(n);
    snprintf(out, n, "%s/media", d);
    free(copy);
    return out;
}

void media_sniff(const void *data, size_t len, char *out, size_t outlen)
{
    magic_t mg = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    const char *t = NULL;
    if (mg && magic_load(mg, NULL) == 0)
        t = magic_buffer(mg, data, len);
    snprintf(out, outlen, "%s", t ? t : "application/octet-stream");
    if (mg)
        magic_close(mg);
}

/* The types accepted, as libmagic names them, and what decodes them. */
static const struct kind {
    const char *mime, *loader;
} kinds[] = {
    {"image/jpeg", "VipsForeignLoadJpegBuffer"},
    {"image/png", "VipsForeignLoadPngBuffer"},
    {"image/webp", "VipsForeignLoadWebpBuffer"},
    {"image/avif", "VipsForeignLoadHeifBuffer"},
    {"image/gif", "VipsForeignLoadNsgifBuffer"},
    {"application/pdf", NULL},
};

/* ci_find: is the ASCII needle (lower case) anywhere in data, any case? */
static bool ci_find(const unsigned char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (tolower(data[i]) != needle[0])
            continue;
        size_t j = 1;
        while (j < n && tolower(data[i + j]) == needle[j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

/* nonzero_after: any byte other than 0 or whitespace from data[from]? */
static bool nonzero_after(const unsigned char *data, size_t len, size_t from)
{
    for (size_t i = from; i < len; i++)
        if (data[i] != 0 && !isspace(data[i]))
            return true;
    return false;
}

/* marker_in: the first sign of a second format in d[0..n), or NULL. */
static const char *marker_in(const unsigned char *d, size_t n, const char *mime)
{
    static const char *const markers[] = {
        "<script", "<html", "<?php", "<svg", "<!doctype", "<iframe", "%pdf-"};
    for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
        if (!strcmp(mime, "application/pdf") && !strcmp(markers[i], "%pdf-"))
            continue;
        if (ci_find(d, n, markers[i]))
            return markers[i];
    }
    return NULL;
}

/*
 * Compressed image data is random bytes: "<svg" turns up in it by chance
 * about once in a hundred 5 MB photos. So in a JPEG only its segments
 * (headers, EXIF, comments: where a second format hides) and in a PNG
 * every chunk but IDAT are searched; the scan data and IDAT are checked
 * by decoding them. Walked by hand: libvips does not expose the raw
 * segments. Whatever cannot be walked is searched whole.
 */
static const char *marker_in_jpeg(const unsigned char *d, size_t len)
{
    size_t i = 2; /* past SOI */
    while (i + 4 <= len) {
        if (d[i] != 0xff)
            return marker_in(d + i, len - i, "image/jpeg");
        unsigned m = d[i + 1];
        if (m == 0xff) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xd9) /* EOI: nothing of the image follows */
            return marker_in(d + i + 2, len - i - 2, "image/jpeg");
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
            i += 2; /* no length */
            continue;
        }
        size_t seg = (size_t)d[i + 2] << 8 | d[i + 3];
        if (seg < 2 || seg > len - i - 2)
            return marker_in(d + i, len - i, "image/jpeg");
        const char *hit = marker_in(d + i + 4, seg - 2, "image/jpeg");
        if (hit)
            return hit;
        i += 2 + seg;
        if (m == 0xda) /* SOS: entropy-coded data up to the next marker */
            while (i + 1 < len && !(d[i] == 0xff && d[i + 1] != 0 &&
                                    !(d[i + 1] >= 0xd0 && d[i + 1] <= 0xd7)))
                i++;
    }
    return NULL;
}

static const char *marker_in_png(const unsigned char *d, size_t len)
{
    size_t i = 8; /* past the signature */
    while (i + 12 <= len) {
        size_t n = (size_t)d[i] << 24 | (size_t)d[i + 1] << 16 |
                   (size_t)d[i + 2] << 8 | d[i + 3];
        if (n > len - i - 12)
            return marker_in(d + i, len - i, "image/png");
        if (memcmp(d + i + 4, "IDAT", 4) != 0) {
            const char *hit = marker_in(d + i + 8, n, "image/png");
            if (hit)
                return hit;
        }
        if (!memcmp(d + i + 4, "IEND", 4))
            return NULL;
        i += 12 + n;
    }
    return i < len ? marker_in(d + i, len - i, "image/png") : NULL;
}

/* polyglot names the second format hidden in an upload, or NULL. */
static const char *polyglot(const unsigned char *d, size_t len,
                            const char *mime)
{
    const char *hit = !strcmp(mime, "image/jpeg") && len > 2
                          ? marker_in_jpeg(d, len)
                      : !strcmp(mime, "image/png") && len > 8
                          ? marker_in_png(d, len)
                          : marker_in(d, len, mime);
    if (hit)
        return hit;
    if (!strcmp(mime, "image/jpeg")) {
        size_t end = 0; /* just past the last End Of Image marker */
        for (size_t i = len; i >= 2; i--)
            if (d[i - 2] == 0xff && d[i - 1] == 0xd9) {
                end = i;
                break;
            }
        if (end && nonzero_after(d, len, end))
            return "data after the end of the JPEG image";
    } else if (!strcmp(mime, "image/png")) {
        size_t end = 0;
        for (size_t i = len; i >= 4; i--)
            if (!memcmp(d + i - 4, "IEND", 4)) {
                end = i + 4; /* the chunk's CRC */
                break;
            }
        if (end && nonzero_after(d, len, end < len ? end : len))
            return "data after the end of the PNG image";
    } else if (!memcmp(d, "PK\3\4", len < 4 ? len : 4)) {
        return "a ZIP archive";
    }
    return NULL;
}

static void hash_hex(const void *data, size_t len, char out[HASH_HEX + 1])
{
    gchar *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
    snprintf(out, HASH_HEX + 1, "%s", h);
    g_free(h);
}

/* write_file puts len bytes at dir/name the crash-safe way; an existing
 * file of that name is the same bytes (the name is their hash), kept. */
static int write_file(const char *dir, const char *name, const void *buf,
                      size_t len)
{
    char path[4096], tmp[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (access(path, F_OK) == 0)
        return 0;
    snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.tmp", dir, name, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ERR_IO;
    int rc = 0;
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = ERR_IO;
            break;
        }
        p += w;
        len -= (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = ERR_IO;
    if (close(fd) != 0)
        rc = ERR_IO;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = ERR_IO;
    if (rc != 0)
        unlink(tmp);
    return rc;
}

static int make_dir(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0755) == 0 || errno == EEXIST)
        return 0;
    snprintf(err, errlen, "%s: cannot create the media folder: %s", dir,
             strerror(errno));
    return ERR_IO;
}

/* vips_fail copies libvips' message (first line) into err. */
static int vips_fail(const char *what, char *err, size_t errlen)
{
    const char *msg = vips_error_buffer();
    size_t n = strcspn(msg, "\n");
    snprintf(err, errlen, "%s: %.*s", what, (int)n, msg);
    vips_error_clear();
    return ERR_INVALID;
}

enum fmt { F_JPEG, F_PNG, F_WEBP, F_AVIF };
static const char *const fmt_ext[] = {"jpg", "png", "webp", "avif"};
static const char *const fmt_mime[] = {"image/jpeg", "image/png", "image/webp",
                                       "image/avif"};

/* encode saves img as f with every metadata field stripped. */
static int encode(VipsImage *img, enum fmt f, void **buf, size_t *len)
{
    VipsImage *flat = NULL;
    int rc;
    if (f == F_JPEG && vips_image_hasalpha(img)) {
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        rc = vips_flatten(img, &flat, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        if (rc != 0)
            return ERR_INVALID;
        img = flat;
    }
    switch (f) {
    case F_JPEG:
        rc = vips_jpegsave_buffer(img, buf, len, "Q", 82, "strip", TRUE,
                                  "optimize_coding", TRUE, "interlace", TRUE,
                                  NULL);
        break;
    case F_PNG:
        rc = vips_pngsave_buffer(img, buf, len, "strip", TRUE, NULL);
        break;
    case F_WEBP:
        rc = vips_webpsave_buffer(img, buf, len, "Q", 78, "strip", TRUE, NULL);
        break;
    default:
        rc = vips_heifsave_buffer(img, buf, len, "compression",
                                  VIPS_FOREIGN_HEIF_COMPRESSION_AV1, "Q", 50,
                                  "effort", 2, "strip", TRUE, NULL);
        break;
    }
    if (flat)
        g_object_unref(flat);
    return rc == 0 ? 0 : ERR_INVALID;
}

/* save_one encodes img as f and writes it as name into dir. */
static int save_one(const char *dir, const char *name, VipsImage *img,
                    enum fmt f, char *err, size_t errlen)
{
    void *buf = NULL;
    size_t len = 0;
    int rc = encode(img, f, &buf, &len);
    if (rc != 0) {
        g_free(buf);
        return vips_fail("cannot encode the image", err, errlen);
    }
    rc = write_file(dir, name, buf, len);
    g_free(buf);
    if (rc != 0)
        snprintf(err, errlen, "%s/%s: cannot write: %s", dir, name,
                 strerror(errno));
    return rc;
}

/* drop_metadata removes every metadata field from img, so no saver can
 * write EXIF (GPS, camera, author), XMP, IPTC or a profile back, whatever
 * its "strip" does (webpsave kept EXIF on an image that had not been
 * resized). Pixel-format fields (width, bands, ...) are not in this list. */
static void drop_metadata(VipsImage *img)
{
    gchar **fields = vips_image_get_fields(img);
    for (gchar **f = fields; f && *f; f++)
        if (!strncmp(*f, "exif-", 5) || !strncmp(*f, "xmp-", 4) ||
            !strncmp(*f, "iptc-", 5) || !strncmp(*f, "icc-", 4) ||
            !strcmp(*f, "orientation") || !strncmp(*f, "gif-", 4) ||
            !strncmp(*f, "png-comment", 11) || !strncmp(*f, "heif-", 5) ||
            !strcmp(*f, "ipct-data"))
            vips_image_remove(img, *f);
    g_strfreev(fields);
}

/* decode opens, checks and normalises an image into memory (upright,
 * sRGB, 8 bits); *out is the caller's to unref. */
static int decode(const void *data, size_t len, const struct kind *k,
                  VipsImage **out, char *err, size_t errlen)
{
    VipsImage *img = NULL, *t1 = NULL, *t2 = NULL;
    int rc = ERR_INVALID;
    const char *loader = vips_foreign_find_load_buffer(data, len);
    if (!loader || strcmp(loader, k->loader) != 0) {
        vips_error_clear();
        snprintf(err, errlen,
                 "the file looks like %s but cannot be read "
                 "as one",
                 k->mime);
        goto out;
    }
    /* Header only: nothing is decoded until the pixels are asked for. */
    img = vips_image_new_from_buffer(data, len, "", "fail_on",
                                     VIPS_FAIL_ON_TRUNCATED, NULL);
    if (!img) {
        rc = vips_fail("the image cannot be read", err, errlen);
        goto out;
    }
    int w = vips_image_get_width(img), h = vips_image_get_height(img);
    if (w <= 0 || h <= 0 || w > MEDIA_MAX_SIDE || h > MEDIA_MAX_SIDE ||
        (unsigned long long)w * (unsigned long long)h > MEDIA_MAX_PIXELS) {
        snprintf(err, errlen,
                 "the image claims %d x %d pixels, more than "
                 "the %llu megapixels (and %d pixels a side) allowed: "
                 "refused before decoding (a decompression bomb?)",
                 w, h, MEDIA_MAX_PIXELS / 1000000, MEDIA_MAX_SIDE);
        goto out;
    }
    /* Decode everything now: a truncated or corrupt file fails here. */
    t1 = vips_image_copy_memory(img);
    if (!t1) {
        rc = vips_fail("the image is damaged or truncated", err, errlen);
        goto out;
    }
    g_object_unref(img);
    img = t1;
    t1 = NULL;
    if (vips_autorot(img, &t1, NULL) != 0) {
        rc = vips_fail("cannot turn the image upright", err, errlen);
        goto out;
    }
    if (vips_image_get_typeof(t1, VIPS_META_ICC_NAME) &&
        vips_icc_transform(t1, &t2, "srgb", "embedded", TRUE, "depth", 8,
                           NULL) == 0) {
        /* converted through its own profile */
    } else {
        vips_error_clear();
        if (t2)
            g_object_unref(t2);
        t2 = NULL;
        if (vips_colourspace(t1, &t2, VIPS_INTERPRETATION_sRGB, NULL) != 0) {
            rc = vips_fail("cannot convert the image to sRGB", err, errlen);
            goto out;
        }
    }
    if (vips_image_get_format(t2) != VIPS_FORMAT_UCHAR) {
        VipsImage *t3 = NULL;
        if (vips_cast_uchar(t2, &t3, NULL) != 0) {
            rc = vips_fail("cannot convert the image to 8 bits", err, errlen);
            goto out;
        }
        g_object_unref(t2);
        t2 = t3;
    }
    *out = vips_image_copy_memory(t2);
    rc = *out ? 0 : vips_fail("cannot decode the image", err, errlen);
    if (rc == 0)
        drop_metadata(*out);
out:
    if (t2)
        g_object_unref(t2);
    if (t1)
        g_object_unref(t1);
    if (img)
        g_object_unref(img);
    return rc;
}

/* derive writes the main file and every width x format of img. */
static int derive(const char *dir, const char *hash, VipsImage *img,
                  struct arena *a, struct media *m, char *err, size_t errlen)
{
    static const int widths[] = MEDIA_WIDTHS;
    const size_t nw = sizeof(widths) / sizeof(widths[0]);
    char name[128];
    int W = vips_image_get_width(img), H = vips_image_get_height(img);
    enum fmt main_fmt = vips_image_hasalpha(img) ? F_PNG : F_JPEG;

    snprintf(name, sizeof(name), "%s.%s", hash, fmt_ext[main_fmt]);
    int rc = save_one(dir, name, img, main_fmt, err, errlen);
    if (rc != 0)
        return rc;
    m->file = arena_strdup(a, name);
    m->mime = fmt_mime[main_fmt];
    m->width = W;
    m->height = H;

    /* The widths below the original, then the original's own width when
     * it is narrower than the largest: never upscaled. */
    int list[8];
    size_t n = 0;
    for (size_t i = 0; i < nw; i++)
        if (widths[i] < W)
            list[n++] = widths[i];
    if (W <= widths[nw - 1])
        list[n++] = W;
    const enum fmt fmts[] = {F_AVIF, F_WEBP, F_JPEG};
    m->variants = arena_alloc(a, n * 3 * sizeof(*m->variants));
    m->nvariants = 0;
    for (size_t i = 0; i < n; i++) {
        VipsImage *small = NULL;
        if (list[i] == W) {
            small = img;
            g_object_ref(small);
        } else if (vips_resize(img, &small, (double)list[i] / W, NULL) != 0) {
            return vips_fail("cannot resize the image", err, errlen);
        }
        int sw = vips_image_get_width(small), sh = vips_image_get_height(small);
        for (size_t f = 0; rc == 0 && f < 3; f++) {
            if (fmts[f] == F_AVIF && !avif_ok)
                continue;
            snprintf(name, sizeof(name), "%s-%d.%s", hash, sw,
                     fmt_ext[fmts[f]]);
            rc = save_one(dir, name, small, fmts[f], err, errlen);
            if (rc == 0)
                m->variants[m->nvariants++] = (struct media_variant){
                    .file = arena_strdup(a, name),
                    .mime = fmt_mime[fmts[f]],
                    .width = sw,
                    .height = sh,
                };
        }
        g_object_unref(small);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* document checks a PDF is whole and keeps it as it came. */
static int document(const char *dir, const char *hash, const unsigned char *d,
                    size_t len, struct arena *a, struct media *m, char *err,
                    size_t errlen)
{
    size_t tail = len < 2048 ? len : 2048;
    if (len < 8 || memcmp(d, "%PDF-", 5) != 0) {
        snprintf(err, errlen,
                 "the PDF does not start with %%PDF-: it is "
                 "something else (a polyglot?)");
        return ERR_INVALID;
    }
    bool eof = false;
    for (size_t i = len - tail; i + 5 <= len && !eof; i++)
        eof = !memcmp(d + i, "%%EOF", 5);
    if (!eof) {
        snprintf(err, errlen, "the PDF is truncated (no %%%%EOF at its end)");
        return ERR_INVALID;
    }
    char name[128];
    snprintf(name, sizeof(name), "%s.pdf", hash);
    int rc = write_file(dir, name, d, len);
    if (rc != 0) {
        snprintf(err, errlen, "%s/%s: cannot write: %s", dir, name,
                 strerror(errno));
        return rc;
    }
    m->kind = "document";
    m->mime = "application/pdf";
    m->file = arena_strdup(a, name);
    return 0;
}

int media_ingest(const char *dir, const void *data, size_t len, size_t max,
                 struct arena *a, struct media *m, char *err, size_t errlen)
{
    const unsigned char *d = data;
    char mime[128], hash[HASH_HEX + 1];
    VipsImage *img = NULL;
    const struct kind *k = NULL;
    int rc = media_init();

    *m = (struct media){.bytes = (int64_t)len};
    if (rc != 0) {
        snprintf(err, errlen, "the image library (libvips) cannot start");
        return rc;
    }
    if (len > max) {
        snprintf(err, errlen,
                 "the file is %zu bytes, more than the %zu "
                 "allowed (limits.upload_max)",
                 len, max);
        return ERR_TOO_BIG;
    }
    if (len == 0) {
        snprintf(err, errlen, "the file is empty");
        return ERR_INVALID;
    }
    media_sniff(data, len, mime, sizeof(mime));
    if (strstr(mime, "svg")) {
        snprintf(err, errlen,
                 "SVG images are refused: they can carry "
                 "scripts; upload a PNG, WebP or JPEG instead");
        return ERR_INVALID;
    }
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strcmp(mime, kinds[i].mime))
            k = &kinds[i];
    if (!k) {
        snprintf(err, errlen,
                 "files of type %s are not accepted: upload a "
                 "JPEG, PNG, WebP, AVIF or GIF image, or a PDF",
                 mime);
        return ERR_INVALID;
    }
    const char *second = polyglot(d, len, k->mime);
    if (second) {
        snprintf(err, errlen,
                 "the file is a %s but also holds %s (a "
                 "polyglot): refused",
                 k->mime, second);
        return ERR_INVALID;
    }
    rc = make_dir(dir, err, errlen);
    if (rc != 0)
        return rc;
    hash_hex(data, len, hash);
    m->hash = arena_strdup(a, hash);
    if (!k->loader)
        return document(dir, hash, d, len, a, m, err, errlen);
    m->kind = "image";
    rc = decode(data, len, k, &img, err, errlen);
    if (rc == 0)
        rc = derive(dir, hash, img, a, m, err, errlen);
    if (img)
        g_object_unref(img);
    return rc;
}
