; hfsr — task-aware super-resolution for GEGL and GIMP.
; Copyright (C) 2026 the hfsr authors
; SPDX-License-Identifier: GPL-3.0-or-later
;
; The reliability suite's GIMP side (test_plugin_reliability.py runs this
; in gimp-console): every procedure of the plug-in on each file, loaded by
; GIMP's own loaders.  Each call's outcome goes to DIR/results.txt as
; "FILE|PROCEDURE.status  ok|failed", ".size" (the image's, after) and
; ".layers" (how many, after) and ".new" (the size of the image it made, or
; "none"); the first line, per file, is its size as loaded.

(define hfsr-rel-results #f)

(define (filter keep? items)
  (cond ((null? items) '())
        ((keep? (car items)) (cons (car items) (filter keep? (cdr items))))
        (else (filter keep? (cdr items)))))

(define (hfsr-rel-note key value)
  (display key hfsr-rel-results)
  (display "\t" hfsr-rel-results)
  (display value hfsr-rel-results)
  (newline hfsr-rel-results))

(define (hfsr-rel-size image)
  (string-append (number->string (car (gimp-image-width image))) "x"
                 (number->string (car (gimp-image-height image)))))

; The procedures with settings a user might pick; each gets a copy of the
; image and its active drawable.
(define hfsr-rel-procedures
  (list
    (cons "hf-map"
          (lambda (image drawable)
            (plug-in-hfsr-hf-map RUN-NONINTERACTIVE image drawable 2 0.2 0.1)))
    (cons "gms-map"
          (lambda (image drawable)
            (plug-in-hfsr-gms-map RUN-NONINTERACTIVE image drawable drawable
                                  2 0.1 1 1.5 2)))
    (cons "super-resolution-x2"
          (lambda (image drawable)
            (plug-in-hfsr-super-resolution RUN-NONINTERACTIVE image drawable
                                           2 0.2 FALSE 0)))
    (cons "super-resolution-x4"
          (lambda (image drawable)
            (plug-in-hfsr-super-resolution RUN-NONINTERACTIVE image drawable
                                           4 0.0 FALSE 0)))
    (cons "dog-sr"
          (lambda (image drawable)
            (plug-in-hfsr-dog-sr RUN-NONINTERACTIVE image drawable 2 1 0 1
                                 1.249 1.545 1.96588 2.452527 3.090016 10.0)))
    (cons "structure-sr"
          (lambda (image drawable)
            (plug-in-hfsr-structure-sr RUN-NONINTERACTIVE image drawable 2 0 1
                                       9.0 FALSE 0)))))

(define (hfsr-reliability dir files)
  (set! hfsr-rel-results (open-output-file (string-append dir "/results.txt")))
  (for-each
    (lambda (file)
      (let* ((path (string-append dir "/" file))
             (loaded (catch #f (car (gimp-file-load RUN-NONINTERACTIVE path
                                                    file)))))
        (hfsr-rel-note (string-append file ".loaded")
                       (if loaded (hfsr-rel-size loaded) "failed"))
        (if loaded
            (begin
              (for-each
                (lambda (procedure)
                  (let* ((key (string-append file "|" (car procedure)))
                         (image (car (gimp-image-duplicate loaded)))
                         (drawable (car (gimp-image-get-active-drawable image)))
                         (before (vector->list (cadr (gimp-image-list))))
                         (result (catch #f (begin ((cdr procedure) image drawable)
                                                  #t)))
                         (made (filter (lambda (i) (not (memv i before)))
                                       (vector->list (cadr (gimp-image-list))))))
                    (hfsr-rel-note (string-append key ".status")
                                   (if result "ok" "failed"))
                    (hfsr-rel-note (string-append key ".size")
                                   (hfsr-rel-size image))
                    (hfsr-rel-note (string-append key ".layers")
                                   (car (gimp-image-get-layers image)))
                    (hfsr-rel-note (string-append key ".new")
                                   (if (null? made) "none"
                                       (hfsr-rel-size (car made))))
                    (for-each gimp-image-delete made)
                    (gimp-image-delete image)))
                hfsr-rel-procedures)
              (gimp-image-delete loaded)))))
    files)
  (hfsr-rel-note "done" "1")
  (close-output-port hfsr-rel-results))
