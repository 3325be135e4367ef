; hfsr — task-aware super-resolution for GEGL and GIMP.
; Copyright (C) 2026 the hfsr authors
; SPDX-License-Identifier: GPL-3.0-or-later
;
; Script-Fu batch examples for GIMP 3: the hfsr filters on every PNG and
; JPEG of a folder, headless.  Results are PNG files in another folder
; (which must exist), named after their source:
;
;   gimp-console-3.0 -i --batch-interpreter=plug-in-script-fu-eval -b '(begin
;       (load "/usr/share/hfsr/scripts/hfsr-batch-gimp3.scm")
;       (hfsr-batch-upscale "/photos" "/photos/x2" 2 0.2))' --quit
;
; (Each -b command runs in a Script-Fu of its own: load and call in one.
; The folder is /usr/local/share/hfsr/scripts for an install to /usr/local,
; and ~/.local/share/hfsr/scripts for a user install.)
;
;   (hfsr-batch-upscale IN OUT SCALE ALPHA)  OUT/<name>-x<SCALE>.png
;   (hfsr-batch-hf-map IN OUT MODE ALPHA)    OUT/<name>-hf-<MODE>.png
;       MODE: "signed", "magnitude", "selection" or "highpass"
;
; Each call prints a line per file and the count of files done and failed.
; A file that fails (to load, in the filter, to save) is reported with
; GIMP's message and skipped; the others go on.  The call returns the
; number of files done, or, when any failed, ends in an error after the
; last file, so that gimp-console-3.0 exits with status 70 (0 when all were
; done).
;
; Written in Script-Fu's v3 dialect (loading this file switches to it): a
; procedure returns its value itself rather than in a list, #t and #f are
; the booleans.  Plug-in procedures such as plug-in-hfsr-super-resolution
; are called with named arguments (an argument left out takes its default);
; GIMP's own procedures (gimp-file-load, ...) take theirs in order.

(script-fu-use-v3)

(define hfsr-batch-extensions '("png" "jpg" "jpeg"))

(define hfsr-batch-map-modes '("signed" "magnitude" "selection" "highpass"))

; TEXT without its last SEPARATOR and what follows it ("a.b.png" "." ->
; "a.b"), or TEXT where it has no SEPARATOR.
(define (hfsr-batch-drop-last text separator)
  (let ((parts (strbreakup text separator)))
    (if (> (length parts) 1)
        (unbreakupstr (reverse (cdr (reverse parts))) separator)
        text)))

; "/a/b/photo.jpg" -> "photo.jpg"
(define (hfsr-batch-name path)
  (car (reverse (strbreakup path "/"))))

; "/a/b/photo.jpg" -> "jpg" (lower case), "" without an extension.
(define (hfsr-batch-extension path)
  (let ((parts (strbreakup (hfsr-batch-name path) ".")))
    (if (> (length parts) 1)
        (string-downcase (car (reverse parts)))
        "")))

; The PNG and JPEG files of FOLDER, whatever the case of their extension.
(define (hfsr-batch-files folder)
  (let loop ((paths (file-glob #:pattern (string-append folder "/*")))
             (found '()))
    (cond ((null? paths) (reverse found))
          ((member (hfsr-batch-extension (car paths)) hfsr-batch-extensions)
           (loop (cdr paths) (cons (car paths) found)))
          (else (loop (cdr paths) found)))))

(define (hfsr-batch-say . texts)
  (display (apply string-append "hfsr-batch: " texts))
  (newline))

; MESSAGE of an error less the place in this file that Script-Fu adds to
; it: "... failed: File corrupted? (/a/hfsr-batch-gimp3.scm : 97) ".
(define (hfsr-batch-message message)
  (let ((size (string-length message)))
    (if (and (> size 2)
             (string=? (substring message (- size 2) size) ") "))
        (hfsr-batch-drop-last message " (")
        message)))

; Runs THUNK: (#t value), or (#f message) where it raised an error, as a
; PDB procedure that fails does (with GIMP's message).
(define (hfsr-batch-try thunk)
  (call/cc
    (lambda (return)
      (let ((hook *error-hook*))
        (set! *error-hook*
              (lambda (message . irritants)
                (set! *error-hook* hook)
                (return (list #f (hfsr-batch-message message)))))
        (let ((value (thunk)))
          (set! *error-hook* hook)
          (list #t value))))))

; Loads each file of IN, runs PROCESS (image -> anything) on it and saves
; the image as OUT/<name><SUFFIX>.png.
(define (hfsr-batch-run procedure in out suffix process)
  (if (not (gimp-pdb-procedure-exists procedure))
      (error (string-append procedure " is missing: is the hfsr plug-in for "
                            "GIMP 3 installed?")))
  (let ((done 0)
        (failed 0))
    (for-each
      (lambda (path)
        (let* ((target (string-append out "/"
                                      (hfsr-batch-drop-last
                                        (hfsr-batch-name path) ".")
                                      suffix ".png"))
               (loaded (hfsr-batch-try
                         (lambda () (gimp-file-load RUN-NONINTERACTIVE path))))
               (outcome (if (car loaded)
                            (hfsr-batch-try
                              (lambda ()
                                (process (cadr loaded))
                                ; -1: no export options (left out, Script-Fu
                                ; 3.0.4 warns of a missing argument).
                                (gimp-file-save RUN-NONINTERACTIVE (cadr loaded)
                                                target -1)))
                            loaded)))
          (if (car loaded)
              (gimp-image-delete (cadr loaded)))
          (if (car outcome)
              (begin
                (set! done (+ done 1))
                (hfsr-batch-say path " -> " target))
              (begin
                (set! failed (+ failed 1))
                (hfsr-batch-say path (if (car loaded) " failed: "
                                             " failed to load: ")
                                (cadr outcome))))))
      (hfsr-batch-files in))
    (hfsr-batch-say (number->string done) " done, "
                    (number->string failed) " failed")
    (if (> failed 0)
        (error (string-append "hfsr-batch: " (number->string failed)
                              " of " (number->string (+ done failed))
                              " files failed")))
    done))

; Each image upscaled SCALE times (1 to 8, such as 2.5) with detail weight
; ALPHA (0 to 1/3) by the networks for that scale (the fidelity variant;
; add #:variant "perceptual" below for the sharp one).
(define (hfsr-batch-upscale in out scale alpha)
  (hfsr-batch-run "plug-in-hfsr-super-resolution" in out
                  (string-append "-x" (number->string scale))
    (lambda (image)
      (plug-in-hfsr-super-resolution
        #:run-mode RUN-NONINTERACTIVE
        #:image image
        #:drawables (gimp-image-get-selected-drawables image)
        #:scale scale #:alpha alpha #:new-image #f))))

; Each image's high-frequency map (MODE, one of hfsr-batch-map-modes) at
; band half-width ALPHA (0 to 1), alone in the saved file.
(define (hfsr-batch-hf-map in out mode alpha)
  ; GIMP 3.0.4 runs a choice argument it does not know with its default.
  (if (not (member mode hfsr-batch-map-modes))
      (error (string-append "hfsr-batch-hf-map: unknown mode \"" mode
                            "\": signed, magnitude, selection or highpass")))
  (hfsr-batch-run "plug-in-hfsr-hf-map" in out (string-append "-hf-" mode)
    (lambda (image)
      (let ((drawables (gimp-image-get-selected-drawables image)))
        (plug-in-hfsr-hf-map #:run-mode RUN-NONINTERACTIVE
                             #:image image #:drawables drawables
                             #:mode mode #:alpha alpha)
        ; The map is a new layer above the source: the file gets the map.
        (gimp-image-remove-layer image (vector-ref drawables 0))))))
