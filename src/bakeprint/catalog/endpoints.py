"""HTTP API: master data under /catalog (product lines, products, variants here;
the code-keyed kinds in ``endpoints_resources``)."""

from __future__ import annotations

from fastapi import APIRouter

from bakeprint.catalog import endpoints_resources, views
from bakeprint.catalog import service as catalog
from bakeprint.catalog.schemas import (
    AllergenRead,
    ProductCreate,
    ProductLineCreate,
    ProductLineRead,
    ProductLineUpdate,
    ProductRead,
    ProductUpdate,
    VariantCreate,
    VariantRead,
    VariantUpdate,
)
from bakeprint.deps import CanRead, CanWriteCatalog, SessionDep

router = APIRouter(prefix="/catalog", tags=["catalog"])


@router.get("/allergens", response_model=list[AllergenRead])
def list_allergens(actor: CanRead) -> list[AllergenRead]:
    """The allergen vocabulary: codes with their zh and en names."""
    return views.allergen_list()


@router.get("/product-lines", response_model=list[ProductLineRead])
def list_lines(
    session: SessionDep, actor: CanRead, active: bool | None = None
) -> list[ProductLineRead]:
    """Product lines, by code."""
    return views.plain(catalog.list_lines(session, actor=actor, active=active))


@router.post("/product-lines", response_model=ProductLineRead, status_code=201)
def create_line(
    data: ProductLineCreate, session: SessionDep, actor: CanWriteCatalog
) -> ProductLineRead:
    """Create a product line (two letters, used in batch codes)."""
    return ProductLineRead.model_validate(
        catalog.create_line(session, data, actor=actor)
    )


@router.get("/product-lines/{code}", response_model=ProductLineRead)
def get_line(code: str, session: SessionDep, actor: CanRead) -> ProductLineRead:
    """One product line."""
    return ProductLineRead.model_validate(
        catalog.line_by_code(session, actor.tenant_id, code)
    )


@router.patch("/product-lines/{code}", response_model=ProductLineRead)
def update_line(
    code: str, data: ProductLineUpdate, session: SessionDep, actor: CanWriteCatalog
) -> ProductLineRead:
    """Rename or (de)activate a product line; its code never changes."""
    return ProductLineRead.model_validate(
        catalog.update_line(session, code, data, actor=actor)
    )


@router.get("/products", response_model=list[ProductRead])
def list_products(
    session: SessionDep,
    actor: CanRead,
    line: str | None = None,
    active: bool | None = None,
) -> list[ProductRead]:
    """Products by GTIN, optionally of one line."""
    rows = catalog.list_products(session, actor=actor, line=line, active=active)
    return views.products(session, rows)


@router.post("/products", response_model=ProductRead, status_code=201)
def create_product(
    data: ProductCreate, session: SessionDep, actor: CanWriteCatalog
) -> ProductRead:
    """Create a product (GTIN check digit verified, stored as GTIN-14)."""
    row = catalog.create_product(session, data, actor=actor)
    return views.products(session, [row])[0]


@router.get("/products/{gtin}", response_model=ProductRead)
def get_product(gtin: str, session: SessionDep, actor: CanRead) -> ProductRead:
    """One product, by any GTIN form (8, 12, 13 or 14 digits)."""
    row = catalog.product_by_gtin(session, actor.tenant_id, gtin)
    return views.products(session, [row])[0]


@router.patch("/products/{gtin}", response_model=ProductRead)
def update_product(
    gtin: str, data: ProductUpdate, session: SessionDep, actor: CanWriteCatalog
) -> ProductRead:
    """Edit a product's descriptive fields and stories; GTIN and line are fixed."""
    row = catalog.update_product(session, gtin, data, actor=actor)
    return views.products(session, [row])[0]


@router.get("/products/{gtin}/variants", response_model=list[VariantRead])
def list_variants(
    gtin: str, session: SessionDep, actor: CanRead, active: bool | None = None
) -> list[VariantRead]:
    """A product's recipe variants."""
    product = catalog.product_by_gtin(session, actor.tenant_id, gtin)
    rows = catalog.list_variants(session, gtin, actor=actor, active=active)
    return views.variants(session, product, rows)


@router.post("/products/{gtin}/variants", response_model=VariantRead, status_code=201)
def create_variant(
    gtin: str, data: VariantCreate, session: SessionDep, actor: CanWriteCatalog
) -> VariantRead:
    """Add a recipe variant (F1, F2…) with its oven targets."""
    row = catalog.create_variant(session, gtin, data, actor=actor)
    product = catalog.product_by_gtin(session, actor.tenant_id, gtin)
    return views.variants(session, product, [row])[0]


@router.get("/products/{gtin}/variants/{code}", response_model=VariantRead)
def get_variant(
    gtin: str, code: str, session: SessionDep, actor: CanRead
) -> VariantRead:
    """One recipe variant."""
    product = catalog.product_by_gtin(session, actor.tenant_id, gtin)
    row = catalog.variant(session, actor.tenant_id, product.id, code)
    return views.variants(session, product, [row])[0]


@router.patch("/products/{gtin}/variants/{code}", response_model=VariantRead)
def update_variant(
    gtin: str,
    code: str,
    data: VariantUpdate,
    session: SessionDep,
    actor: CanWriteCatalog,
) -> VariantRead:
    """Change a variant's targets or notes, or retire it (active=false)."""
    row = catalog.update_variant(session, gtin, code, data, actor=actor)
    product = catalog.product_by_gtin(session, actor.tenant_id, gtin)
    return views.variants(session, product, [row])[0]


router.include_router(endpoints_resources.router)
