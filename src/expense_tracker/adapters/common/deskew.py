"""Straighten a phone photo of a receipt before OCR: flatten the paper when its four corners
show (perspective), then turn the print level (rotation found by the projection profile:
rows of text give the sharpest row-sum profile when level). OpenCV and numpy come with the
local OCR engine."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

Image = Any  # numpy BGR image; numpy's typing of OpenCV arrays adds nothing here
WORK_SIDE = 600  # estimates are made on a copy this size
MAX_ANGLE = 12.0  # degrees; beyond this a photo is EXIF-rotated or not a receipt
ANGLE_STEP = 0.5
MIN_PAPER_SHARE = 0.2  # a quadrilateral smaller than this share of the photo is not the paper


def deskew(image: Image) -> Image:
    return straighten(flatten_paper(image))


def _small(image: Image) -> tuple[Image, float]:
    height, width = image.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    resized = cv2.resize(image, (int(width * scale), int(height * scale)))
    return resized, scale


def flatten_paper(image: Image) -> Image:
    """The paper warped to a rectangle when a bright quadrilateral stands out; else as is."""
    small, scale = _small(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    _, mask = cv2.threshold(cv2.GaussianBlur(small, (5, 5), 0), 0, 255, cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return image
    paper = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(paper) / float(small.shape[0] * small.shape[1])
    corners = cv2.approxPolyDP(paper, 0.02 * cv2.arcLength(paper, True), True)
    if len(corners) != 4 or not MIN_PAPER_SHARE <= share <= 0.97:
        return image
    return _warp(image, _ordered(corners.reshape(4, 2) / scale))


def _ordered(points: Image) -> Image:
    """Top-left, top-right, bottom-right, bottom-left."""
    sums, diffs = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(sums)],
            points[np.argmin(diffs)],
            points[np.argmax(sums)],
            points[np.argmax(diffs)],
        ],
        dtype=np.float32,
    )


def _warp(image: Image, corners: Image) -> Image:
    top_left, top_right, bottom_right, bottom_left = corners
    width = int(
        max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left))
    )
    height = int(
        max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right))
    )
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


def skew_angle(image: Image) -> float:
    """The rotation (degrees, counter-clockwise) that levels the rows of print."""
    small, _ = _small(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    centre = (small.shape[1] / 2, small.shape[0] / 2)
    best, best_score = 0.0, -1.0
    for angle in np.arange(-MAX_ANGLE, MAX_ANGLE + ANGLE_STEP, ANGLE_STEP):
        matrix = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        turned = cv2.warpAffine(ink, matrix, (small.shape[1], small.shape[0]))
        score = float(np.var(turned.sum(axis=1)))
        if score > best_score:
            best, best_score = float(angle), score
    return best


def straighten(image: Image) -> Image:
    angle = skew_angle(image)
    if abs(angle) < ANGLE_STEP:
        return image
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
