/* media/encoder_pref.h - which video encoder family a job asks for
 * (shared by the pipeline and the encoder stage). */
#ifndef VS_MEDIA_ENCODER_PREF_H
#define VS_MEDIA_ENCODER_PREF_H

/* Which video encoder family to use. */
enum vs_encoder_pref {
    VS_ENCODER_AUTO = 0, /* NVENC when it opens, else the CPU encoder */
    VS_ENCODER_CPU,
    VS_ENCODER_NVENC,
};

#endif
