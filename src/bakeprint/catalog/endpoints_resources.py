"""HTTP API: the code-keyed master data (material types, suppliers, operators,
equipment, locations, vehicles, points of sale), mounted under /catalog."""

from __future__ import annotations

from fastapi import APIRouter

from bakeprint.catalog import resources, views
from bakeprint.catalog import service as catalog
from bakeprint.catalog.models import (
    Equipment,
    Location,
    MaterialType,
    Operator,
    PointOfSale,
    Supplier,
    Vehicle,
)
from bakeprint.catalog.schemas import (
    EquipmentCreate,
    EquipmentRead,
    EquipmentUpdate,
    LocationCreate,
    LocationRead,
    LocationUpdate,
    MaterialTypeCreate,
    MaterialTypeRead,
    MaterialTypeUpdate,
    OperatorCreate,
    OperatorRead,
    OperatorUpdate,
    PointOfSaleCreate,
    PointOfSaleRead,
    PointOfSaleUpdate,
    SupplierCreate,
    SupplierRead,
    SupplierUpdate,
    VehicleCreate,
    VehicleRead,
    VehicleUpdate,
)
from bakeprint.deps import CanRead, CanWriteCatalog, SessionDep

router = APIRouter()


# --- material types ---


@router.get("/material-types", response_model=list[MaterialTypeRead])
def list_material_types(
    session: SessionDep, actor: CanRead, active: bool | None = None
) -> list[MaterialTypeRead]:
    """Material types, by code."""
    rows = resources.list_rows(session, MaterialType, actor=actor, active=active)
    return views.plain(rows)


@router.post("/material-types", response_model=MaterialTypeRead, status_code=201)
def create_material_type(
    data: MaterialTypeCreate, session: SessionDep, actor: CanWriteCatalog
) -> MaterialTypeRead:
    """Create a material type."""
    row = catalog.create_material_type(session, data, actor=actor)
    return MaterialTypeRead.model_validate(row)


@router.get("/material-types/{code}", response_model=MaterialTypeRead)
def get_material_type(
    code: str, session: SessionDep, actor: CanRead
) -> MaterialTypeRead:
    """One material type."""
    row = catalog.material_type_by_code(session, actor.tenant_id, code)
    return MaterialTypeRead.model_validate(row)


@router.patch("/material-types/{code}", response_model=MaterialTypeRead)
def update_material_type(
    code: str, data: MaterialTypeUpdate, session: SessionDep, actor: CanWriteCatalog
) -> MaterialTypeRead:
    """Edit a material type or deactivate it (active=false); its code never changes."""
    row = catalog.update_material_type(session, code, data, actor=actor)
    return MaterialTypeRead.model_validate(row)


# --- suppliers ---


@router.get("/suppliers", response_model=list[SupplierRead])
def list_suppliers(
    session: SessionDep, actor: CanRead, active: bool | None = None
) -> list[SupplierRead]:
    """Suppliers, by code."""
    rows = resources.list_rows(session, Supplier, actor=actor, active=active)
    return views.plain(rows)


@router.post("/suppliers", response_model=SupplierRead, status_code=201)
def create_supplier(
    data: SupplierCreate, session: SessionDep, actor: CanWriteCatalog
) -> SupplierRead:
    """Create a supplier."""
    row = catalog.create_supplier(session, data, actor=actor)
    return SupplierRead.model_validate(row)


@router.get("/suppliers/{code}", response_model=SupplierRead)
def get_supplier(code: str, session: SessionDep, actor: CanRead) -> SupplierRead:
    """One supplier."""
    row = catalog.supplier_by_code(session, actor.tenant_id, code)
    return SupplierRead.model_validate(row)


@router.patch("/suppliers/{code}", response_model=SupplierRead)
def update_supplier(
    code: str, data: SupplierUpdate, session: SessionDep, actor: CanWriteCatalog
) -> SupplierRead:
    """Edit a supplier or deactivate it (active=false); its code never changes."""
    row = catalog.update_supplier(session, code, data, actor=actor)
    return SupplierRead.model_validate(row)


# --- operators ---


@router.get("/operators", response_model=list[OperatorRead])
def list_operators(
    session: SessionDep, actor: CanRead, active: bool | None = None
) -> list[OperatorRead]:
    """Operators, by code."""
    rows = resources.list_rows(session, Operator, actor=actor, active=active)
    return views.operators(session, rows)


@router.post("/operators", response_model=OperatorRead, status_code=201)
def create_operator(
    data: OperatorCreate, session: SessionDep, actor: CanWriteCatalog
) -> OperatorRead:
    """Create an operator."""
    row = catalog.create_operator(session, data, actor=actor)
    return views.operators(session, [row])[0]


@router.get("/operators/{code}", response_model=OperatorRead)
def get_operator(code: str, session: SessionDep, actor: CanRead) -> OperatorRead:
    """One operator."""
    row = catalog.operator_by_code(session, actor.tenant_id, code)
    return views.operators(session, [row])[0]


@router.patch("/operators/{code}", response_model=OperatorRead)
def update_operator(
    code: str, data: OperatorUpdate, session: SessionDep, actor: CanWriteCatalog
) -> OperatorRead:
    """Edit an operator or deactivate it (active=false); its code never changes."""
    row = catalog.update_operator(session, code, data, actor=actor)
    return views.operators(session, [row])[0]


# --- equipment ---


@router.get("/equipment", response_model=list[EquipmentRead])
def list_equipment(
    session: SessionDep, actor: CanRead, active: bool | None = None
) -> list[EquipmentRead]:
    """Equipment, by code."""
    rows = resources.list_rows(session, Equipment, actor=actor, active=active)
    return views.equipment(session, rows)


@router.post("/equipment", response_model=EquipmentRead, status_code=201)
def create_equipment(
    data: EquipmentCreate, session: SessionDep, actor: CanWriteCatalog
) -> EquipmentRead:
    """Create a piece of equipment."""
    row = catalog.create_equipment(session, data, actor=actor)
    return views.equipment(session, [row])[0]


@router.get("/equipment/{code}", response_model=EquipmentRead)
def get_equipment(code: str, session: SessionDep, actor: CanRead) -> EquipmentRead:
    """One piece of equipment."""
    row = catalog.equipment_by_code(session, actor.tenant_id, code)
    return views.equipment(session, [row])[0]


@router.patch("/equipment/{code}", response_model=EquipmentRead)
def update_equipment(
    code: str, data: EquipmentUpdate, session: SessionDep, actor: CanWriteCatalog
) -> EquipmentRead:
    """Edit equipment or deactivate it (active=false); its code never changes."""
    row = catalog.update_equipment(session, code, data, actor=actor)
    return views.equipment(session, [row])[0]


# --- locations ---


@router.get("/locations", response_model=list[LocationRead])
def list_locations(
    session: SessionDep, actor: CanRead, active: bool | None = None
) -> list[LocationRead]:
    """Locations, by code."""
    rows = resources.list_rows(session, Location, actor=actor, active=active)
    return views.plain(rows)


@router.post("/locations", response_model=LocationRead, status_code=201)
def create_location(
    data: LocationCreate, session: SessionDep, actor: CanWriteCatalog
) -> LocationRead:
    """Create a location."""
    row = catalog.create_location(session, data, actor=actor)
    return LocationRead.model_validate(row)


@router.get("/locations/{code}", response_model=LocationRead)
def get_location(code: str, session: SessionDep, actor: CanRead) -> LocationRead:
    """One location."""
    row = catalog.location_by_code(session, actor.tenant_id, code)
    return LocationRead.model_validate(row)


@router.patch("/locations/{code}", response_model=LocationRead)
def update_location(
    code: str, data: LocationUpdate, session: SessionDep, actor: CanWriteCatalog
) -> LocationRead:
    """Edit a location or deactivate it (active=false); its code never changes."""
    row = catalog.update_location(session, code, data, actor=actor)
    return LocationRead.model_validate(row)


# --- vehicles ---


@router.get("/vehicles", response_model=list[VehicleRead])
def list_vehicles(
    session: SessionDep, actor: CanRead, active: bool | None = None
) -> list[VehicleRead]:
    """Vehicles, by code."""
    rows = resources.list_rows(session, Vehicle, actor=actor, active=active)
    return views.plain(rows)


@router.post("/vehicles", response_model=VehicleRead, status_code=201)
def create_vehicle(
    data: VehicleCreate, session: SessionDep, actor: CanWriteCatalog
) -> VehicleRead:
    """Create a vehicle."""
    row = catalog.create_vehicle(session, data, actor=actor)
    return VehicleRead.model_validate(row)


@router.get("/vehicles/{code}", response_model=VehicleRead)
def get_vehicle(code: str, session: SessionDep, actor: CanRead) -> VehicleRead:
    """One vehicle."""
    row = catalog.vehicle_by_code(session, actor.tenant_id, code)
    return VehicleRead.model_validate(row)


@router.patch("/vehicles/{code}", response_model=VehicleRead)
def update_vehicle(
    code: str, data: VehicleUpdate, session: SessionDep, actor: CanWriteCatalog
) -> VehicleRead:
    """Edit a vehicle or deactivate it (active=false); its code never changes."""
    row = catalog.update_vehicle(session, code, data, actor=actor)
    return VehicleRead.model_validate(row)


# --- points of sale ---


@router.get("/points-of-sale", response_model=list[PointOfSaleRead])
def list_points_of_sale(
    session: SessionDep, actor: CanRead, active: bool | None = None
) -> list[PointOfSaleRead]:
    """Points of sale, by code."""
    rows = resources.list_rows(session, PointOfSale, actor=actor, active=active)
    return views.plain(rows)


@router.post("/points-of-sale", response_model=PointOfSaleRead, status_code=201)
def create_point_of_sale(
    data: PointOfSaleCreate, session: SessionDep, actor: CanWriteCatalog
) -> PointOfSaleRead:
    """Create a point of sale."""
    row = catalog.create_point_of_sale(session, data, actor=actor)
    return PointOfSaleRead.model_validate(row)


@router.get("/points-of-sale/{code}", response_model=PointOfSaleRead)
def get_point_of_sale(
    code: str, session: SessionDep, actor: CanRead
) -> PointOfSaleRead:
    """One point of sale."""
    row = catalog.point_of_sale_by_code(session, actor.tenant_id, code)
    return PointOfSaleRead.model_validate(row)


@router.patch("/points-of-sale/{code}", response_model=PointOfSaleRead)
def update_point_of_sale(
    code: str, data: PointOfSaleUpdate, session: SessionDep, actor: CanWriteCatalog
) -> PointOfSaleRead:
    """Edit a point of sale or deactivate it (active=false); its code never changes."""
    row = catalog.update_point_of_sale(session, code, data, actor=actor)
    return PointOfSaleRead.model_validate(row)
