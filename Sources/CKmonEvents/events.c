/* Header-only module: the layouts live in include/CKmonEvents.h. */
