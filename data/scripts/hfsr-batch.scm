; hfsr — task-aware super-resolution for GEGL and GIMP.
; Copyright (C) 2026 the hfsr authors
; SPDX-License-Identifier: GPL-3.0-or-later
;
; Script-Fu batch examples: the hfsr filters on every PNG and JPEG of a
; folder, headless.  Results are PNG files in another folder (which must
; exist), named after their source:
;
;   gimp-console-2.10 -i -b '(begin
;       (load "/usr/local/share/hfsr/scripts/hfsr-batch.scm")
;       (hfsr-batch-upscale "/photos" "/photos/x2" 2 0.2))' -b '(gimp-quit 0)'
;
; (Each -b command runs in a Script-Fu of its own: load and call in one.)
;
;   (hfsr-batch-upscale IN OUT SCALE ALPHA [VARIANT])  OUT/<name>-x<SCALE>.png
;       SCALE 1 to 8; VARIANT 0 fidelity (the default), 1 perceptual
;   (hfsr-batch-hf-map IN OUT MODE ALPHA)    OUT/<name>-hf-<mode>.png
;       MODE: 0 signed, 1 magnitude, 2 selection, 3 highpass
;
; Each call prints one line a file and returns the number of files done.
; A file that fails is reported and skipped; the others go on.

(define hfsr-batch-patterns
  '("*.png" "*.PNG" "*.jpg" "*.JPG" "*.jpeg" "*.JPEG"))

(define hfsr-batch-map-modes '("signed" "magnitude" "selection" "highpass"))

; The PNG and JPEG files of FOLDER.
(define (hfsr-batch-files folder)
  (apply append
         (map (lambda (pattern)
                (cadr (file-glob (string-append folder "/" pattern) 1)))
              hfsr-batch-patterns)))

; "/a/b/photo.jpg" -> "photo"
(define (hfsr-batch-stem path)
  (let* ((name (car (last (strbreakup path "/"))))
         (parts (strbreakup name ".")))
    (if (> (length parts) 1)
        (unbreakupstr (butlast parts) ".")
        name)))

; Loads each file of IN, runs PROCESS (image drawable -> drawable to save)
; and saves that drawable as OUT/<name><SUFFIX>.png.
(define (hfsr-batch-run in out suffix process)
  (let ((done 0))
    (for-each
      (lambda (path)
        (let* ((image (car (gimp-file-load RUN-NONINTERACTIVE path path)))
               (drawable (car (gimp-image-get-active-drawable image)))
               (target (string-append out "/" (hfsr-batch-stem path) suffix
                                      ".png"))
               (result (catch #f (list (process image drawable)))))
          (if result
              (begin
                (file-png-save2 RUN-NONINTERACTIVE image (car result) target
                                target 0 9 0 0 0 1 0 0 1)
                (set! done (+ done 1))
                (gimp-message (string-append "hfsr: " target)))
              (gimp-message (string-append "hfsr: failed on " path)))
          (gimp-image-delete image)))
      (hfsr-batch-files in))
    done))

(define (hfsr-batch-upscale in out scale alpha . variant)
  (hfsr-batch-run in out (string-append "-x" (number->string scale))
    (lambda (image drawable)
      (cadr (plug-in-hfsr-super-resolution RUN-NONINTERACTIVE image drawable
                                           scale alpha FALSE
                                           (if (null? variant) 0
                                               (car variant)))))))

(define (hfsr-batch-hf-map in out mode alpha)
  (hfsr-batch-run in out
                  (string-append "-hf-" (list-ref hfsr-batch-map-modes mode))
    (lambda (image drawable)
      (car (plug-in-hfsr-hf-map RUN-NONINTERACTIVE image drawable mode alpha
                                0.1)))))
