#!/bin/sh
# placeholder: to be written
exit 77
