; hfsr — task-aware super-resolution for GEGL and GIMP.
; Copyright (C) 2026 the hfsr authors
; SPDX-License-Identifier: GPL-3.0-or-later
;
; The plug-in's procedures called from Script-Fu as a user calls them, in
; real GIMP (test_plugin.py runs this in gimp-console).  GIMP's exit code
; says nothing, so every case writes what it saw to DIR/results.txt
; ("key<TAB>value" lines) and its layers to DIR/<key>.png; test_plugin.py
; checks them against the `gegl` command and the inputs.

(define hfsr-results #f)
(define hfsr-dir "")

(define (hfsr-note key value)
  (display key hfsr-results)
  (display "\t" hfsr-results)
  (display value hfsr-results)
  (newline hfsr-results))

(define (hfsr-path file) (string-append hfsr-dir "/" file))

; Each file is loaded once (the PNG loader is a plug-in of its own, a
; process start a call); cases get a copy.
(define hfsr-loaded '())

(define (hfsr-load file)
  (let ((loaded (assoc file hfsr-loaded)))
    (if (not loaded)
        (begin
          (set! loaded (cons file (car (gimp-file-load RUN-NONINTERACTIVE
                                                       (hfsr-path file)
                                                       file))))
          (set! hfsr-loaded (cons loaded hfsr-loaded))))
    (car (gimp-image-duplicate (cdr loaded)))))

(define (hfsr-load-layer image file position)
  (let ((layer (car (gimp-file-load-layer RUN-NONINTERACTIVE image
                                          (hfsr-path file)))))
    (gimp-image-insert-layer image layer 0 position)
    layer))

; Colour under transparent pixels is saved too: the maps keep it.
(define (hfsr-save key image drawable)
  (file-png-save2 RUN-NONINTERACTIVE image drawable
                  (hfsr-path (string-append key ".png"))
                  (string-append key ".png") 0 9 0 0 0 0 0 0 1))

(define (hfsr-layers image) (car (gimp-image-get-layers image)))

; The procedure's return values, or #f when it failed.
(define (hfsr-call key thunk)
  (let ((result (catch #f (list (thunk)))))
    (hfsr-note (string-append key ".status") (if result "ok" "failed"))
    (if result (car result) #f)))

(define (hfsr-note-image key image)
  (hfsr-note (string-append key ".size")
             (string-append (number->string (car (gimp-image-width image))) "x"
                            (number->string (car (gimp-image-height image)))))
  (hfsr-note (string-append key ".layers") (hfsr-layers image))
  (hfsr-note (string-append key ".base-type") (car (gimp-image-base-type image)))
  (hfsr-note (string-append key ".precision")
             (car (gimp-image-get-precision image))))

(define (hfsr-note-layer key image layer)
  (let ((offsets (gimp-drawable-offsets layer)))
    (hfsr-note (string-append key ".name") (car (gimp-item-get-name layer)))
    (hfsr-note (string-append key ".position")
               (car (gimp-image-get-item-position image layer)))
    (hfsr-note (string-append key ".geometry")
               (string-append
                 (number->string (car (gimp-drawable-width layer))) "x"
                 (number->string (car (gimp-drawable-height layer))) "+"
                 (number->string (car offsets)) "+"
                 (number->string (cadr offsets))))))

; A map of FILE's layer by CALL (image drawable -> results), saved as
; KEY.png; when CALL fails, the drawable is saved as KEY-source.png.
(define (hfsr-map-case key file call)
  (let* ((image (hfsr-load file))
         (drawable (car (gimp-image-get-active-drawable image)))
         (result (hfsr-call key (lambda () (call image drawable)))))
    (hfsr-note-image key image)
    (if result
        (begin
          (hfsr-note-layer key image (car result))
          (hfsr-note (string-append key ".drawable-position")
                     (car (gimp-image-get-item-position image drawable)))
          (hfsr-save key image (car result)))
        (hfsr-save (string-append key "-source") image drawable))
    (gimp-image-delete image)))

(define (hfsr-hf-map-case key file mode alpha cutoff)
  (hfsr-map-case key file
    (lambda (image drawable)
      (plug-in-hfsr-hf-map RUN-NONINTERACTIVE image drawable mode alpha
                           cutoff))))

; The GMS map of FILE against REFERENCE-FILE, loaded as the layer below.
(define (hfsr-gms-map-case key file reference-file mode)
  (hfsr-map-case key file
    (lambda (image drawable)
      (let ((reference (hfsr-load-layer image reference-file 1)))
        (gimp-image-set-active-layer image drawable)
        (plug-in-hfsr-gms-map RUN-NONINTERACTIVE image drawable reference
                              mode 0.1 1 1.5 2)))))

; Upscales FILE's layer.  In place, a small layer at (5, 7) shows how the
; others follow; a new image carries PROFILE (an ICC file, or ""); OPTIONS
; may give the variant (0 fidelity, the default; 1 perceptual).
(define (hfsr-sr-case key file scale alpha new-image profile . options)
  (let* ((variant (if (null? options) 0 (car options)))
         (image (hfsr-load file))
         (drawable (car (gimp-image-get-active-drawable image)))
         (base-type (car (gimp-image-base-type image)))
         (other (car (gimp-layer-new image 10 8
                                     (cond ((= base-type GRAY) GRAYA-IMAGE)
                                           ((= base-type INDEXED) INDEXEDA-IMAGE)
                                           (else RGBA-IMAGE))
                                     "other" 100 LAYER-MODE-NORMAL)))
         (result #f))
    (gimp-image-insert-layer image other 0 0)
    (gimp-layer-set-offsets other 5 7)
    (if (not (equal? profile ""))
        (gimp-image-set-color-profile-from-file image profile))
    (set! result
          (hfsr-call key
                     (lambda ()
                       (plug-in-hfsr-super-resolution RUN-NONINTERACTIVE image
                                                      drawable scale alpha
                                                      new-image variant))))
    (hfsr-note-image key image)
    (hfsr-note-layer (string-append key ".other") image other)
    (hfsr-note (string-append key ".dirty") (car (gimp-image-is-dirty image)))
    (if result
        (let ((result-image (car result))
              (result-drawable (cadr result)))
          (hfsr-note (string-append key ".same-image")
                     (if (= result-image image) 1 0))
          (hfsr-note-image (string-append key ".result") result-image)
          (hfsr-note-layer (string-append key ".result") result-image
                           result-drawable)
          (hfsr-note (string-append key ".same-profile")
                     (if (equal? (gimp-image-get-color-profile image)
                                 (gimp-image-get-color-profile result-image))
                         1 0))
          (hfsr-note (string-append key ".profile-bytes")
                     (car (gimp-image-get-color-profile result-image)))
          (hfsr-save key result-image result-drawable)
          (if (not (= result-image image))
              (gimp-image-delete result-image)))
        (hfsr-save (string-append key "-source") image drawable))
    (gimp-image-delete image)))

;; Upscales in place a 3 x 5 layer at (1, 1) above FILE's by SCALE: where
;; GIMP's rounding of the layer's edges differs from the op's size (at
;; 1.5, 4 x 7 against 5 x 8) the layer takes the op's.
(define (hfsr-sr-layer-case key file scale)
  (let* ((image (hfsr-load file))
         (small (car (gimp-layer-new image 3 5 RGBA-IMAGE "small" 100
                                     LAYER-MODE-NORMAL))))
    (gimp-image-insert-layer image small 0 0)
    (gimp-layer-set-offsets small 1 1)
    (gimp-drawable-fill small FILL-WHITE)
    (hfsr-call key
               (lambda ()
                 (plug-in-hfsr-super-resolution RUN-NONINTERACTIVE image
                                                small scale 0.2 FALSE 0)))
    (hfsr-note-image key image)
    (hfsr-note-layer (string-append key ".small") image small)
    (gimp-image-delete image)))

;; Structure-aware SR of FILE (a digit crop): the result's size and the
;; layer name carrying the class, saved as KEY.png.
(define (hfsr-structure-sr-case key file scale arch shared lambda new-image
                                . options)
  (let* ((polarity (if (null? options) 0 (car options)))
         (image (hfsr-load file))
         (drawable (car (gimp-image-get-active-drawable image)))
         (result (hfsr-call key
                            (lambda ()
                              (plug-in-hfsr-structure-sr RUN-NONINTERACTIVE
                                                         image drawable scale
                                                         arch shared lambda
                                                         new-image polarity)))))
    (hfsr-note-image key image)
    (if result
        (let ((result-image (car result))
              (result-drawable (cadr result)))
          (hfsr-note (string-append key ".same-image")
                     (if (= result-image image) 1 0))
          (hfsr-note-image (string-append key ".result") result-image)
          (hfsr-note-layer (string-append key ".result") result-image
                           result-drawable)
          (hfsr-save key result-image result-drawable)
          (if (not (= result-image image))
              (gimp-image-delete result-image)))
        (hfsr-save (string-append key "-source") image drawable))
    (gimp-image-delete image)))

;; DoG Super-Resolution of FILE into a new image: the upscaled layer and a
;; group of levels, each level saved as KEY-levelN.png.
(define (hfsr-dog-sr-case key file scale method output level gain)
  (let* ((image (hfsr-load file))
         (drawable (car (gimp-image-get-active-drawable image)))
         (result (hfsr-call key
                            (lambda ()
                              (plug-in-hfsr-dog-sr RUN-NONINTERACTIVE image
                                                   drawable scale method output level
                                                   1.249 1.545 1.96588 2.452527
                                                   3.090016 gain)))))
    (hfsr-note-image key image)
    (if result
        (let* ((result-image (car result))
               (layers (gimp-image-get-layers result-image))
               (group (vector-ref (cadr layers) 0))
               (children (gimp-item-get-children group)))
          (hfsr-note (string-append key ".same-image")
                     (if (= result-image image) 1 0))
          (hfsr-note-image (string-append key ".result") result-image)
          (hfsr-note (string-append key ".group") (car (gimp-item-is-group group)))
          (hfsr-note (string-append key ".group.name") (car (gimp-item-get-name group)))
          (hfsr-note (string-append key ".levels") (car children))
          (hfsr-save key result-image (cadr result))
          (let loop ((i 0))
            (if (< i (car children))
                (let ((layer (vector-ref (cadr children) i))
                      (name (string-append key "-level" (number->string (+ i 1)))))
                  (hfsr-note-layer name result-image layer)
                  (hfsr-note (string-append name ".visible")
                             (car (gimp-item-get-visible layer)))
                  (hfsr-save name result-image layer)
                  (loop (+ i 1)))))
          (gimp-image-delete result-image)))
    (gimp-image-delete image)))

;; DoG Super-Resolution of FILE with output KEYPOINTS: the new image's top
;; layer (the keypoint overlay) saved as KEY-overlay.png, the upscale below
;; it as KEY.png.
(define (hfsr-dog-sr-keypoints-case key file method)
  (let* ((image (hfsr-load file))
         (drawable (car (gimp-image-get-active-drawable image)))
         (result (hfsr-call key
                            (lambda ()
                              (plug-in-hfsr-dog-sr RUN-NONINTERACTIVE image
                                                   drawable 2 method 2 1
                                                   1.249 1.545 1.96588 2.452527
                                                   3.090016 10.0)))))
    (hfsr-note-image key image)
    (if result
        (let* ((result-image (car result))
               (layers (cadr (gimp-image-get-layers result-image)))
               (overlay (vector-ref layers 0)))
          (hfsr-note-image (string-append key ".result") result-image)
          (hfsr-note-layer (string-append key "-overlay") result-image overlay)
          (hfsr-save (string-append key "-overlay") result-image overlay)
          (hfsr-save key result-image (vector-ref layers 1))
          (gimp-image-delete result-image)))
    (gimp-image-delete image)))

;; Runs every case, each on its own: one that breaks is missing from the
;; results and the others still run.
(define (hfsr-run-cases cases)
  (for-each (lambda (run-case)
              (if (not (catch #f (begin (run-case) #t)))
                  (hfsr-note "broken-case" "1")))
            cases))

; SR-CASES is #f when the test has no super-resolution network to offer;
; BATCH-SCRIPT is data/scripts/hfsr-batch.scm, run on DIR/batch-in.
(define (hfsr-run-checks dir sr-cases profile batch-script)
  (set! hfsr-dir dir)
  (set! hfsr-results (open-output-file (hfsr-path "results.txt")))

  (hfsr-run-cases
    (list
      ; Every mode, on every kind of image.
      (lambda () (hfsr-hf-map-case "hf-rgb8-signed"      "rgb8.png"   0 0.2 0.1))
      (lambda () (hfsr-hf-map-case "hf-rgb8-magnitude"   "rgb8.png"   1 0.2 0.1))
      (lambda () (hfsr-hf-map-case "hf-rgb8-selection"   "rgb8.png"   2 0.25 0.1))
      (lambda () (hfsr-hf-map-case "hf-rgb8-highpass"    "rgb8.png"   3 0.2 0.15))
      (lambda () (hfsr-hf-map-case "hf-rgba16-signed"    "rgba16.png" 0 0.2 0.1))
      (lambda () (hfsr-hf-map-case "hf-rgba16-selection" "rgba16.png" 2 0.1 0.1))
      (lambda () (hfsr-hf-map-case "hf-grey8-selection"  "grey8.png"  2 0.2 0.1))
      (lambda () (hfsr-hf-map-case "hf-grey8-highpass"   "grey8.png"  3 0.2 0.3))
      (lambda () (hfsr-gms-map-case "gms-rgb8-soft"  "rgb8.png"  "blur8.png" 2))
      (lambda () (hfsr-gms-map-case "gms-rgb8-gms"   "rgb8.png"  "blur8.png" 0))
      (lambda () (hfsr-gms-map-case "gms-grey8-hard" "grey8.png" "blurgrey8.png" 1))
      ; Refused: the image stays as it was.
      (lambda () (hfsr-hf-map-case "bad-indexed" "indexed.png" 2 0.2 0.1))
      (lambda () (hfsr-hf-map-case "bad-alpha"   "rgb8.png"    2 2.0 0.1))
      (lambda () (hfsr-hf-map-case "bad-mode"    "rgb8.png"    7 0.2 0.1))
      (lambda () (hfsr-gms-map-case "bad-reference-size" "rgb8.png" "small8.png" 2))))

  (if sr-cases
      (hfsr-run-cases
        (list
          (lambda () (hfsr-sr-case "sr-rgb8-x2-inplace" "rgb8.png"   2 0.2 FALSE ""))
          (lambda () (hfsr-sr-case "sr-rgba16-x3-new"   "rgba16.png" 3 0.2 TRUE profile))
          (lambda () (hfsr-sr-case "sr-grey8-x2-new"    "grey8.png"  2 0.0 TRUE ""))
          (lambda () (hfsr-sr-case "sr-rgb8-x2-perceptual-new" "rgb8.png" 2 0.0 TRUE "" 1))
          (lambda () (hfsr-sr-case "sr-rgb8-x1.5-inplace" "rgb8.png" 1.5 0.2 FALSE ""))
          (lambda () (hfsr-sr-case "sr-rgba16-x2.5-new" "rgba16.png" 2.5 0.2 TRUE ""))
          (lambda () (hfsr-sr-layer-case "sr-layer-x1.5-inplace" "rgb8.png" 1.5))
          (lambda () (hfsr-sr-case "bad-sr-scale"       "rgb8.png"   9 0.2 FALSE ""))
          (lambda () (hfsr-sr-case "bad-sr-alpha"       "rgb8.png"   2 0.5 FALSE ""))
          (lambda () (hfsr-sr-case "bad-sr-indexed"     "indexed.png" 2 0.2 FALSE ""))
          (lambda () (hfsr-dog-sr-case "dog-rgb8-x2"     "rgb8.png"  2 0 0 2 10.0))
          (lambda () (hfsr-dog-sr-case "dog-grey8-x2-gaussian" "grey8.png" 2 1 1 5 10.0))
          (lambda () (hfsr-dog-sr-case "dog-rgb8-x2-pixel" "rgb8.png" 2 2 0 3 10.0))
          (lambda () (hfsr-dog-sr-keypoints-case "dog-rgb8-x2-keypoints" "rgb8.png" 1))
          (lambda () (hfsr-dog-sr-case "bad-dog-level"   "rgb8.png"  2 0 0 6 10.0))
          (lambda () (hfsr-dog-sr-case "bad-dog-level5"  "rgb8.png"  2 0 0 5 10.0))
          (lambda () (hfsr-structure-sr-case "sr2-seven-x4-new" "digit-x4-0000-7.png" 4 0 1 9.0 TRUE))
          (lambda () (hfsr-structure-sr-case "sr2-two-x2-inplace" "digit-x2-0001-2.png" 2 1 4 9.0 FALSE))
          (lambda () (hfsr-structure-sr-case "sr2-seven-x4-noisy" "digit-x4-0000-7.png" 4 3 1 9.0 TRUE))
          (lambda () (hfsr-structure-sr-case "bad-sr2-scale" "digit-x2-0001-2.png" 3 0 1 9.0 TRUE))
          (lambda () (hfsr-structure-sr-case "sr2-dark-auto" "digit-dark-x4-0000-7.png" 4 0 1 9.0 TRUE 0))
          (lambda () (hfsr-structure-sr-case "sr2-dark-chosen" "digit-dark-x4-0000-7.png" 4 0 1 9.0 TRUE 2))
          (lambda () (hfsr-structure-sr-case "sr2-dark-as-light" "digit-dark-x4-0000-7.png" 4 0 1 9.0 TRUE 1)))))

  (load batch-script)
  (hfsr-run-cases
    (list
      (lambda ()
        (hfsr-note "batch-hf-map"
                   (hfsr-batch-hf-map (hfsr-path "batch-in")
                                      (hfsr-path "batch-hf") 2 0.2)))
      (lambda ()
        (if sr-cases
            (hfsr-note "batch-upscale"
                       (hfsr-batch-upscale (hfsr-path "batch-in")
                                           (hfsr-path "batch-x2") 2 0.2))))))

  (for-each (lambda (loaded) (gimp-image-delete (cdr loaded))) hfsr-loaded)
  (hfsr-note "done" 1)
  (close-output-port hfsr-results))

; What a user of another language sees: a map layer's name and an error.
(define (hfsr-run-language-checks dir)
  (set! hfsr-dir dir)
  (set! hfsr-results (open-output-file (hfsr-path "results.txt")))
  (hfsr-run-cases
    (list
      (lambda () (hfsr-hf-map-case "hf-rgb8-selection" "rgb8.png" 2 0.25 0.1))
      (lambda () (hfsr-hf-map-case "bad-alpha"         "rgb8.png" 2 2.0 0.1))))
  (for-each (lambda (loaded) (gimp-image-delete (cdr loaded))) hfsr-loaded)
  (hfsr-note "done" 1)
  (close-output-port hfsr-results))
