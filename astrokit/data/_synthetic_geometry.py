"""Geometry of the synthetic galaxies: sky grids, WCS, disc-plane coordinates and
instrument footprints.

Each galaxy sits on its own sky grid centred on its real coordinates. The grid
has a gnomonic (``RA---TAN``/``DEC--TAN``) WCS whose pixel size in degrees is
the pixel size in parsec seen at the galaxy's distance. Because the reference
point is the galaxy centre, tangent-plane offsets are exactly linear in the
pixel indices, so the deprojection into the disc plane (position angle of the
receding major axis east of north, inclination) is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GalaxySpec", "GALAXY_SPECS", "Grid", "make_grid", "footprints"]

RAD_PER_DEG = np.pi / 180.0


@dataclass(frozen=True)
class GalaxySpec:
    """Real orientation and distance of one galaxy, plus the model's structure.

    Angles in degrees, lengths in kpc in the disc plane. ``r_disc_kpc`` is the
    radius of the modelled disc (the ALMA footprint); ``bar_kpc`` the bar's
    semi-major axis (0: no bar); ``bulge_kpc`` the radius inside which old
    bulge stars dominate; ``agn`` whether the nucleus is a Seyfert;
    ``n_hii``/``n_gmc`` how many HII regions and giant molecular clouds the
    arms carry (clumps along a bar come on top, by bar length). The disc radii
    are somewhat larger than the real galaxies' CO discs, so that the demo
    tier has a few 10^5 pixels at 150 pc.
    """

    name: str
    ra: float
    dec: float
    dist_mpc: float
    incl_deg: float
    pa_deg: float
    r_disc_kpc: float
    pitch_deg: float
    arm_phase_deg: float
    bar_kpc: float
    bar_angle_deg: float
    bulge_kpc: float
    agn: bool
    n_hii: int
    n_gmc: int
    description: str


GALAXY_SPECS: dict[str, GalaxySpec] = {
    s.name: s
    for s in [
        GalaxySpec(
            "NGC0628", 24.17385, 15.78364, 9.84, 8.9, 20.7,
            r_disc_kpc=20.0, pitch_deg=16.0, arm_phase_deg=30.0, bar_kpc=0.0,
            bar_angle_deg=0.0, bulge_kpc=1.4, agn=False, n_hii=1600, n_gmc=2000,
            description="nearly face-on grand-design spiral (M74), small bulge",
        ),
        GalaxySpec(
            "NGC1365", 53.40154, -36.14038, 19.57, 55.4, 201.1,
            r_disc_kpc=38.0, pitch_deg=24.0, arm_phase_deg=0.0, bar_kpc=9.0,
            bar_angle_deg=-35.0, bulge_kpc=2.6, agn=True, n_hii=2800, n_gmc=3400,
            description="strongly barred spiral with a Seyfert nucleus",
        ),
        GalaxySpec(
            "NGC7496", 347.44704, -43.42783, 18.72, 35.9, 193.7,
            r_disc_kpc=18.0, pitch_deg=20.0, arm_phase_deg=0.0, bar_kpc=3.6,
            bar_angle_deg=50.0, bulge_kpc=1.6, agn=False, n_hii=1100, n_gmc=1400,
            description="barred spiral with an old-star bulge",
        ),
    ]
}  # fmt: skip


@dataclass
class Grid:
    """One galaxy's sky grid and the disc-plane coordinates of its pixels.

    All 2-D arrays have shape ``(ny, nx)`` (numpy order ``[y, x]``). ``east``
    and ``north`` are tangent-plane offsets from the centre in kpc; ``xd``,
    ``yd`` disc-plane coordinates in kpc (``xd`` along the receding major
    axis), ``r`` and ``theta`` their polar form.
    """

    spec: GalaxySpec
    pixel_pc: float
    ny: int
    nx: int
    header: str
    east: np.ndarray
    north: np.ndarray
    xd: np.ndarray
    yd: np.ndarray
    y0: int = 0  # first row of a band of rows (make_grid(..., rows=)); ny stays full

    @property
    def r(self) -> np.ndarray:
        return np.hypot(self.xd, self.yd)

    @property
    def theta(self) -> np.ndarray:
        return np.arctan2(self.yd, self.xd)


def _wcs_header(spec: GalaxySpec, pixel_pc: float, ny: int, nx: int) -> str:
    """A FITS header string with a 2-D celestial TAN WCS for the grid."""
    from astropy.io import fits

    pix_deg = pixel_pc / (spec.dist_mpc * 1e6) / RAD_PER_DEG
    header = fits.Header()
    cards = [
        ("NAXIS", 2, "number of axes"),
        ("NAXIS1", nx, "pixels along x (RA)"),
        ("NAXIS2", ny, "pixels along y (Dec)"),
        ("WCSAXES", 2, "celestial WCS"),
        ("CTYPE1", "RA---TAN", "gnomonic projection"),
        ("CTYPE2", "DEC--TAN", "gnomonic projection"),
        ("CRVAL1", spec.ra, "[deg] galaxy centre"),
        ("CRVAL2", spec.dec, "[deg] galaxy centre"),
        ("CRPIX1", (nx + 1) / 2.0, "centre pixel (1-based)"),
        ("CRPIX2", (ny + 1) / 2.0, "centre pixel (1-based)"),
        ("CDELT1", -pix_deg, f"[deg] {pixel_pc:g} pc at {spec.dist_mpc} Mpc"),
        ("CDELT2", pix_deg, f"[deg] {pixel_pc:g} pc at {spec.dist_mpc} Mpc"),
        ("CUNIT1", "deg", ""),
        ("CUNIT2", "deg", ""),
        ("RADESYS", "ICRS", ""),
        ("OBJECT", spec.name, ""),
        ("DIST_MPC", spec.dist_mpc, "[Mpc] adopted distance"),
        ("INCL_DEG", spec.incl_deg, "[deg] inclination"),
        ("PA_DEG", spec.pa_deg, "[deg] position angle, east of north"),
        ("PIX_PC", pixel_pc, "[pc] pixel size"),
    ]
    for key, value, comment in cards:
        header[key] = (value, comment)
    return header.tostring()


def make_grid(spec: GalaxySpec, pixel_pc: float, *, rows=None) -> Grid:
    """The sky grid holding the disc out to ``spec.r_disc_kpc`` (plus 2 pixels).

    ``rows=(y0, y1)`` gives only the band of rows ``y0 <= y < y1`` (arrays of
    ``y1 - y0`` rows, ``grid.y0 = y0``; ``ny``, ``nx`` and the header those
    of the whole grid), so a large galaxy is generated band by band.

    Pixel ``(x, y)`` is offset ``east = -(x - xc) * p`` and ``north = (y - yc)
    * p`` from the centre (``p`` the pixel size in kpc; RA grows to the
    east, i.e. to smaller x). The disc-plane coordinates follow from the
    position angle ``PA`` and inclination ``i``::

        xd = east sin PA + north cos PA
        yd = (-east cos PA + north sin PA) / cos i
    """
    p_kpc = pixel_pc / 1000.0
    pa = spec.pa_deg * RAD_PER_DEG
    cos_i = np.cos(spec.incl_deg * RAD_PER_DEG)
    a = spec.r_disc_kpc / p_kpc
    b = a * cos_i
    half_x = np.sqrt((a * np.sin(pa)) ** 2 + (b * np.cos(pa)) ** 2)
    half_y = np.sqrt((a * np.cos(pa)) ** 2 + (b * np.sin(pa)) ** 2)
    nx = 2 * int(np.ceil(half_x)) + 5
    ny = 2 * int(np.ceil(half_y)) + 5
    xc, yc = (nx - 1) / 2.0, (ny - 1) / 2.0
    y0, y1 = (0, ny) if rows is None else (max(rows[0], 0), min(rows[1], ny))
    yy, xx = np.mgrid[y0:y1, 0:nx]
    east = -(xx - xc) * p_kpc
    north = (yy - yc) * p_kpc
    xd = east * np.sin(pa) + north * np.cos(pa)
    yd = (-east * np.cos(pa) + north * np.sin(pa)) / cos_i
    header = _wcs_header(spec, pixel_pc, ny, nx)
    return Grid(spec, pixel_pc, ny, nx, header, east, north, xd, yd, y0)


def _rotated(grid: Grid, angle_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Sky offsets (kpc) along and across a direction ``angle_deg`` east of north."""
    ang = angle_deg * RAD_PER_DEG
    u = grid.east * np.sin(ang) + grid.north * np.cos(ang)
    v = -grid.east * np.cos(ang) + grid.north * np.sin(ang)
    return u, v


def _deproject_radius(spec: GalaxySpec, east, north) -> np.ndarray:
    pa = spec.pa_deg * RAD_PER_DEG
    cos_i = np.cos(spec.incl_deg * RAD_PER_DEG)
    xd = east * np.sin(pa) + north * np.cos(pa)
    yd = (-east * np.cos(pa) + north * np.sin(pa)) / cos_i
    return np.hypot(xd, yd)


def footprints(grid: Grid, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Boolean coverage maps ``{instrument: (ny, nx)}`` and MUSE pointing depths.

    - ALMA: the disc out to ``r_disc_kpc`` (an ellipse on the sky), the
      largest footprint, as for a PHANGS-ALMA mosaic.
    - MUSE: a mosaic of square pointings on a lattice aligned with the major
      axis; a pointing is kept when its centre lies within 0.6 of the disc
      radius. Each pointing gets its own depth (``"muse_depth"``, a noise
      factor around 1), which shows as a patchwork in the error maps.
    - JWST: a rectangle rotated by 35 degrees from the major axis, smaller
      than the MUSE mosaic.
    - HST: a long narrow strip through the nucleus at 70 degrees from the
      major axis, which may run off the grid, as real HST fields do.
    """
    spec = grid.spec
    radius = spec.r_disc_kpc
    out = {"ALMA": grid.r <= radius}
    # MUSE: lattice of square pointings, side a quarter of the disc radius.
    side = 0.25 * radius
    u, v = _rotated(grid, spec.pa_deg)
    iu = np.round(u / side - 0.5)
    iv = np.round(v / side - 0.5)
    cu, cv = (iu + 0.5) * side, (iv + 0.5) * side
    ang = spec.pa_deg * RAD_PER_DEG
    c_east = cu * np.sin(ang) - cv * np.cos(ang)
    c_north = cu * np.cos(ang) + cv * np.sin(ang)
    out["MUSE"] = _deproject_radius(spec, c_east, c_north) <= 0.6 * radius
    k = 16
    depth = rng.lognormal(0.0, 0.12, size=(2 * k + 1, 2 * k + 1))
    ku = np.clip(iu.astype(int) + k, 0, 2 * k)
    kv = np.clip(iv.astype(int) + k, 0, 2 * k)
    out["muse_depth"] = depth[kv, ku]
    # JWST: rotated rectangle; its two halves (NIRCam/MIRI tiles) differ in depth.
    u, v = _rotated(grid, spec.pa_deg + 35.0)
    cos_i = np.cos(spec.incl_deg * RAD_PER_DEG)
    half_w = 0.42 * radius * max(cos_i, 0.6)
    out["JWST"] = (np.abs(u) <= 0.5 * radius) & (np.abs(v) <= half_w)
    out["jwst_depth"] = np.where(u < 0, 1.0, 1.12)
    # HST: strip through the centre.
    u, v = _rotated(grid, spec.pa_deg + 70.0)
    out["HST"] = (np.abs(u) <= 0.9 * radius) & (np.abs(v) <= 0.17 * radius)
    out["hst_depth"] = 1.0 + 0.1 * u / radius
    return out
