# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Contour helpers for boundary-based detectors (TextBPN).

All points are ``(x, y)`` in pixel coordinates of the frame they come from;
"clockwise" means clockwise as seen on screen (image ``y`` axis pointing
down), i.e. a positive shoelace area.
"""
from typing import Optional

import cv2
import numpy as np
import torch


def signed_area(points: np.ndarray) -> float:
    """Shoelace area of a closed polygon; positive when clockwise on screen.

    Args:
        points (np.ndarray): ``(K, 2)`` vertices.

    Returns:
        float: The signed area.
    """
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def orient_clockwise(points: np.ndarray) -> np.ndarray:
    """Return the polygon with clockwise (on-screen) vertex order.

    The point-matching loss only searches cyclic shifts, so predicted and
    ground-truth contours must share one orientation.

    Args:
        points (np.ndarray): ``(K, 2)`` vertices.

    Returns:
        np.ndarray: ``(K, 2)`` vertices, reversed if they were anticlockwise.
    """
    points = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    if signed_area(points) < 0:
        points = points[::-1].copy()
    return points


def resample_polygon(points: np.ndarray,
                     num_points: int,
                     clockwise: bool = True) -> np.ndarray:
    """Sample ``num_points`` points uniformly by arc length on a closed
    contour, starting at its first vertex.

    Args:
        points (np.ndarray): ``(K, 2)`` or flat ``(2K,)`` contour vertices,
            ``K >= 2``.
        num_points (int): Number of control points ``N``.
        clockwise (bool): Orient the contour clockwise first. Defaults to
            True.

    Returns:
        np.ndarray: ``(N, 2)`` float32 control points.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if points.shape[0] < 2:
        raise ValueError(
            f'resample_polygon needs >= 2 vertices, got {points.shape[0]}')
    if clockwise:
        points = orient_clockwise(points).astype(np.float64)
    closed = np.concatenate([points, points[:1]], axis=0)
    seg = np.linalg.norm(np.diff(closed, axis=0), axis=1)
    cum = np.concatenate([[0.], np.cumsum(seg)])
    total = cum[-1]
    if total <= 0:
        return np.repeat(points[:1], num_points, axis=0).astype(np.float32)
    targets = np.arange(num_points) * (total / num_points)
    xs = np.interp(targets, cum, closed[:, 0])
    ys = np.interp(targets, cum, closed[:, 1])
    return np.stack([xs, ys], axis=1).astype(np.float32)


def mask_to_control_points(mask: np.ndarray,
                           num_points: int,
                           approx_factor: float = 0.007
                           ) -> Optional[np.ndarray]:
    """Outer contour of the largest region of a binary mask, simplified with
    ``cv2.approxPolyDP`` (epsilon = ``approx_factor`` x perimeter) and
    resampled to ``num_points`` clockwise control points.

    Args:
        mask (np.ndarray): ``(H, W)`` binary mask.
        num_points (int): Number of control points ``N``.
        approx_factor (float): Contour approximation factor. Defaults to
            0.007 (TextBPN's value).

    Returns:
        np.ndarray or None: ``(N, 2)`` float32 points, or None if the mask
        holds no contour.
    """
    contours, _ = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if len(contours) == 0:
        return None
    contour = max(contours, key=cv2.contourArea)
    if approx_factor > 0:
        eps = approx_factor * cv2.arcLength(contour, True)
        approx = cv2.approxPolyDP(contour, eps, True).reshape(-1, 2)
        if approx.shape[0] >= 3:
            contour = approx
    contour = contour.reshape(-1, 2)
    if contour.shape[0] < 2:
        return None
    return resample_polygon(contour, num_points)


def cyclic_shift_indices(num_points: int,
                         device: Optional[torch.device] = None
                         ) -> torch.Tensor:
    """Index table of every cyclic shift: ``out[s, i] = (i + s) % N``.

    Args:
        num_points (int): ``N``.
        device (torch.device, optional): Device of the result.

    Returns:
        Tensor: ``(N, N)`` long tensor.
    """
    base = torch.arange(num_points, device=device)
    return (base[None, :] + base[:, None]) % num_points
